"""Records one event with a vendor's official Python SDK, pointed at a loopback capture server.

Usage: record.py VENDOR URL SPEC_JSON

SPEC_JSON describes the event as candor has it (name, version, fields, id, minute, app), so the
SDK is given the same information candor's encoder is. The SDK sends its request(s) to URL; the
calling test reads them from its capture server and compares them with candor's encoder output.
"""

import datetime
import json
import sys
import uuid
import warnings

warnings.simplefilter("ignore")


def main():
    vendor, url, spec = sys.argv[1], sys.argv[2], json.loads(sys.argv[3])
    fields = spec["fields"]
    minute = datetime.datetime.strptime(spec["time"], "%Y-%m-%dT%H:%MZ").replace(
        tzinfo=datetime.timezone.utc
    )
    millis = int(minute.timestamp()) * 1000
    event_uuid = str(uuid.UUID(hex=spec["id"]))
    app = spec["app"]

    if vendor == "segment":
        from segment.analytics import Client

        client = Client(write_key=spec["key"], host=url, sync_mode=True, gzip=False)
        client.track(
            anonymous_id=spec["anonymous_id"],
            event=spec["name"],
            properties=fields,
            timestamp=minute,
            message_id=event_uuid,
            context={
                "app": {"name": app["name"], "version": app["version"]},
                "os": {"name": app["os"]},
                "protocols": {"event_version": spec["version"]},
            },
        )
        client.flush()
    elif vendor == "mixpanel":
        from mixpanel import Consumer, Mixpanel

        consumer = Consumer(import_url=url + "/import", retry_limit=0)
        mp = Mixpanel(spec["key"], consumer=consumer)
        properties = {
            "$insert_id": spec["id"],
            "$os": app["os"],
            "$app_version_string": app["version"],
            "candor_app": app["name"],
            "candor_event_version": spec["version"],
        }
        properties.update(fields)
        mp.import_data(
            api_key=None,
            distinct_id="",
            event_name=spec["name"],
            timestamp=millis,
            properties=properties,
            api_secret=spec["key"],
        )
    elif vendor == "posthog":
        from posthog import Posthog

        client = Posthog(spec["key"], host=url, sync_mode=True, disable_geoip=True)
        properties = {
            "$os": app["os"],
            "$app_name": app["name"],
            "$app_version": app["version"],
            "candor_event_version": spec["version"],
        }
        properties.update(fields)
        # No distinct_id: the SDK then sends a personless event with a fresh random id.
        client.capture(
            spec["name"], properties=properties, timestamp=minute, uuid=event_uuid
        )
        client.flush()
        client.shutdown()
    elif vendor == "snowplow":
        from snowplow_tracker import Emitter, SelfDescribingJson, Subject, Tracker

        host, port = url.removeprefix("http://").split(":")
        emitter = Emitter(host, protocol="http", port=int(port), method="post", batch_size=1)
        subject = Subject().set_platform("app")
        tracker = Tracker(
            "candor", emitter, subject=subject, app_id=app["name"], encode_base64=False
        )
        tracker.track_self_describing_event(
            SelfDescribingJson(spec["iglu_uri"], fields),
            context=[
                SelfDescribingJson(
                    "iglu:com.snowplowanalytics.mobile/application/jsonschema/1-0-0",
                    {"version": app["version"], "build": ""},
                )
            ],
        )
        tracker.flush()
    else:
        raise SystemExit(f"unknown vendor {vendor}")


if __name__ == "__main__":
    main()
