"""Errors are the right classes; bad input is a clear error, never a crash."""

from __future__ import annotations

import pickle

import pytest

import localmediastream as lms

NAMES = ["TypeError", "NotFoundError", "NotReadableError", "OverconstrainedError",
         "NotAllowedError", "AbortError", "InvalidStateError", "InvalidHandleError",
         "InvalidArgumentError", "TimeoutError", "EndedError", "InternalError"]


def test_one_class_per_error_name_all_under_error() -> None:
    for name in NAMES:
        cls = getattr(lms, name)
        assert issubclass(cls, lms.Error) and cls.name == name
        assert cls.__module__ == "localmediastream"
    assert issubclass(lms.TypeError, TypeError)
    assert issubclass(lms.TimeoutError, TimeoutError)
    assert issubclass(lms.InvalidArgumentError, ValueError)
    assert lms.TypeError is not TypeError


def test_overconstrained_error_names_the_constraint_and_survives_pickling() -> None:
    with pytest.raises(lms.OverconstrainedError) as info:
        lms.open(video={"frameRate": {"exact": -1}})
    e = info.value
    assert e.constraint == "frameRate" and "frameRate" in e.message
    copy = pickle.loads(pickle.dumps(e))
    assert (type(copy), copy.constraint, str(copy)) == (lms.OverconstrainedError, "frameRate", str(e))


@pytest.mark.parametrize(
    "constraints, needle",
    [
        ('{"video": ', "JSON"),
        ("nope", "JSON"),
        ({"video": {"width": "big"}}, "width"),
        ({"video": {"frameRate": {"min": "fast"}}}, "frameRate"),
        ({"video": {"facingMode": 7}}, "facingMode"),
        ({"audio": {"echoCancellation": "yes"}}, "echoCancellation"),
        ({"video": {"advanced": {"width": 1}}}, "advanced"),
        ({"video": 3}, "video"),
        ({"video": {"width": {"max": "-5"}}}, "width"),
        ({"video": {"width": float("nan")}}, "video.width"),
        ({"audio": {"echoCancellation": "on"}}, '"on" is not a valid value'),
        ({"video": {"deviceId": {"exact": "x" * 501}}}, "Constraint string too long."),
        ({"audio": {"groupId": "x" * 501}}, "Constraint string too long."),
        ({"video": {"width": object()}}, "video.width"),
        ({"video": {1: 2}}, "keys must be strings"),
        ([1, 2], "object"),
    ],
)
def test_malformed_constraints_are_type_errors_naming_the_problem(constraints: object, needle: str) -> None:
    with pytest.raises(lms.TypeError) as info:
        lms.open(constraints)  # type: ignore[arg-type]
    assert needle in str(info.value)


def test_constraint_values_are_converted_as_webidl_converts_them() -> None:
    # [Clamp] unsigned long: -1 is 0, so max -1 is impossible, not malformed.
    with pytest.raises(lms.OverconstrainedError) as info:
        lms.open(video={"width": {"max": -1}})
    assert info.value.constraint == "width"
    # echoCancellation is (boolean or EchoCancellationModeEnum): the strings are modes of their own.
    with lms.open(audio={"echoCancellation": {"exact": "all"}}) as s:
        assert s.get_audio_tracks()[0].get_settings()["echoCancellation"] == "all"
    with pytest.raises(lms.OverconstrainedError) as info:
        lms.open(audio={"voiceIsolation": {"exact": True}})
    assert info.value.constraint == "voiceIsolation"
    with lms.open(audio={"echoCancellation": "remote-only", "voiceIsolation": True}) as s:
        settings = s.get_audio_tracks()[0].get_settings()
        assert settings["echoCancellation"] == "remote-only" and settings["voiceIsolation"] is False
    # Chromium's limit: 500 UTF-16 code units per constraint string.
    with lms.open(video={"deviceId": "x" * 500}):
        pass


def test_deeply_nested_or_self_referencing_constraints_are_refused() -> None:
    loop: dict[str, object] = {}
    loop["video"] = loop
    with pytest.raises(lms.TypeError, match="nested deeper"):
        lms.open(loop)
    deep: list[object] = []
    for _ in range(10_000):
        deep = [deep]
    with pytest.raises(lms.TypeError):
        lms.open({"video": deep})
    with pytest.raises(lms.TypeError):
        lms.open('{"video": ' + "[" * 200_000 + "]" * 200_000 + "}")


def test_open_takes_a_dict_or_keywords_not_both() -> None:
    with pytest.raises(lms.TypeError, match="not both"):
        lms.open({"video": True}, audio=True)


def test_wrong_argument_types_are_type_errors() -> None:
    with lms.open(video=True) as s:
        t = s.get_tracks()[0]
        with pytest.raises(TypeError):
            t.read(timeout="soon")  # type: ignore[arg-type]
        with pytest.raises(TypeError):
            s.add_track("a track")  # type: ignore[arg-type]
        with pytest.raises(lms.TypeError):
            lms.MediaStream(42)  # type: ignore[arg-type]
        with pytest.raises(lms.TypeError):
            lms.MediaStream(["not a track"])  # type: ignore[list-item]
        with pytest.raises(lms.TypeError, match="callable"):
            t.add_event_listener("ended", 5)  # type: ignore[arg-type]
        with pytest.raises(lms.TypeError, match="callable"):
            t.set_frame_callback("print")  # type: ignore[arg-type]
        with pytest.raises(lms.TypeError):
            t.apply_constraints({"width": "wide"})
        with pytest.raises(lms.TypeError):
            t.apply_constraints(["wide"])  # type: ignore[arg-type]
        t.read(timeout=5)  # still delivering


def test_out_of_range_arguments_are_invalid_argument_errors() -> None:
    with lms.open(video=True) as s:
        t = s.get_tracks()[0]
        for bad in (-1, float("nan")):
            with pytest.raises(lms.InvalidArgumentError, match="timeout"):
                t.read(timeout=bad)
        with pytest.raises(lms.InvalidArgumentError, match="ended"):
            t.add_event_listener("stopped", print)  # type: ignore[arg-type]
        with pytest.raises(ValueError, match="disconnect"):
            lms.fake_device_control("fake:video:0", "explode")  # type: ignore[arg-type]
    with pytest.raises(lms.NotFoundError):
        lms.fake_device_control("fake:video:9", "mute")
    with pytest.raises(lms.NotFoundError):
        lms.fake_device_usage("fake:video:9")


def test_bad_configuration_is_a_type_error_and_keeps_the_old_one() -> None:
    cases: list[dict[str, object]] = [
        {"backends": ["webcam"]},
        {"backends": "fake"},
        {"fake": {"video": -1}},
        {"fake": {"pacing": "fast"}},
        {"permissions": {"camera": "maybe"}},
        {"queue_size": 0},
        {"fake": {"toneHz": float("inf")}},
        {"fake": {"label": object()}},
    ]
    for kwargs in cases:
        with pytest.raises(lms.TypeError):
            lms.configure(**kwargs)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        lms.configure(bogus=1)  # type: ignore[call-arg]
    lms.open(video=True).stop()  # the old configuration is in force


def test_timeouts_and_ended_tracks_raise_their_classes() -> None:
    lms.configure(backends=["fake"], fake={"pacing": "realtime", "video": 1, "audio": 0})
    with lms.open(video={"frameRate": 1}) as s:
        t = s.get_tracks()[0]
        t.read(timeout=5)
        # The next frame would be a second away; muted, none comes however slowly this runs.
        lms.fake_device_control("fake:video:0", "mute")
        with pytest.raises(lms.TimeoutError) as info:
            t.read(timeout=0)
        assert isinstance(info.value, TimeoutError)
        assert t.try_read() is None
    with pytest.raises(lms.EndedError):
        t.read()
    with pytest.raises(lms.EndedError):
        t.read(timeout=0)


def test_flush_events_inside_a_listener_is_an_invalid_state_error() -> None:
    errors: list[BaseException] = []

    def listener(event: lms.Event) -> None:
        try:
            lms.flush_events()
        except lms.InvalidStateError as e:
            errors.append(e)

    with lms.open(video=True) as s:
        s.get_tracks()[0].add_event_listener("mute", listener)
        lms.fake_device_control("fake:video:0", "mute")
        lms.flush_events()
    assert len(errors) == 1


def test_configure_with_a_lone_string_for_backends_says_what_it_expected() -> None:
    with pytest.raises(lms.TypeError, match=r'expected a list of names like \["fake"\]'):
        lms.configure(backends="fake")


def test_a_timeout_longer_than_a_clock_holds_waits_without_limit_instead_of_panicking() -> None:
    with lms.open(video=True) as s:
        frame = s.get_video_tracks()[0].read(timeout=1e19)
        assert frame.width > 0
