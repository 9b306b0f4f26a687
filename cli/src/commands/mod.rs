//! One module per subcommand, plus the options they share.

pub mod check;
pub mod collect;
pub mod diff;
pub mod docs;
pub mod inspect;
pub mod report;
pub mod schema;
pub mod sweep;

use candor_schema::diagnostic::{visible, Color};
use candor_schema::{Compilation, Date, Options, Registry};
use std::io::IsTerminal;
use std::path::Path;

/// Options every command that compiles schemas accepts.
#[derive(clap::Args, Clone, Debug)]
pub struct CompileArgs {
    /// The date to check expiry against (YYYY-MM-DD). Default: SOURCE_DATE_EPOCH, else today.
    #[arg(long, value_parser = parse_date)]
    pub today: Option<Date>,
    /// Colour in human output.
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,
}

#[derive(clap::ValueEnum, Clone, Copy, Debug)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

impl ColorChoice {
    /// Colour only on a terminal, and never when `NO_COLOR` is set (no-color.org).
    pub fn resolve(self, terminal: bool) -> Color {
        match self {
            ColorChoice::Always => Color::Always,
            ColorChoice::Never => Color::Never,
            ColorChoice::Auto if terminal && std::env::var_os("NO_COLOR").is_none() => {
                Color::Always
            }
            ColorChoice::Auto => Color::Never,
        }
    }
}

pub(crate) fn parse_date(s: &str) -> Result<Date, String> {
    Date::parse(s).ok_or_else(|| format!("`{s}` is not a date in the form YYYY-MM-DD"))
}

/// Compiles `dir`, turning an unreadable folder into the message for exit code 2.
pub fn compile(dir: &Path, args: &CompileArgs) -> Result<Compilation, String> {
    if !dir.is_dir() {
        return Err(format!(
            "schema folder `{}` does not exist (pass the folder holding your *.yaml schemas)",
            visible(&dir.display().to_string())
        ));
    }
    candor_schema::compile_dir(
        dir,
        &Options {
            today: args.today,
            ..Options::default()
        },
    )
    .map_err(|e| e.to_string())
}

/// Compiles `dir` for a command that writes files from it: prints any diagnostics, and gives
/// the registry only when there are no errors (`None`: nothing may be written, exit 1).
pub fn registry_for_output(dir: &Path, args: &CompileArgs) -> Result<Option<Registry>, String> {
    let compilation = compile(dir, args)?;
    if !compilation.diagnostics.is_empty() {
        print_human(&compilation, args);
    }
    Ok(compilation.registry)
}

/// Prints diagnostics for a human on stderr.
pub fn print_human(compilation: &Compilation, args: &CompileArgs) {
    let color = args.color.resolve(std::io::stderr().is_terminal());
    eprint!("{}", compilation.render(color));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn colour_only_on_a_terminal_unless_forced() {
        assert_eq!(ColorChoice::Auto.resolve(false), Color::Never);
        assert_eq!(ColorChoice::Always.resolve(false), Color::Always);
        assert_eq!(ColorChoice::Never.resolve(true), Color::Never);
        let expected = if std::env::var_os("NO_COLOR").is_none() {
            Color::Always
        } else {
            Color::Never
        };
        assert_eq!(ColorChoice::Auto.resolve(true), expected);
    }
}
