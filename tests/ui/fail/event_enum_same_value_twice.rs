#[derive(candor::EventEnum)]
#[allow(non_camel_case_types)]
enum Failure {
    HttpError,
    HTTPError,
    Http_Error,
}

fn main() {}
