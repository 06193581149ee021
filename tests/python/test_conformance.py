"""CONFORMANCE.md, rule by rule, through the Python binding (one test per rule)."""

from __future__ import annotations

import gc
import re

import pytest

import localmediastream as lms
from conftest import Recorder, eventually

UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")

# ---- getUserMedia ----


def test_rule_01_no_kind_requested_is_a_type_error() -> None:
    for call in (
        lambda: lms.open(),
        lambda: lms.open({}),
        lambda: lms.open(audio=False, video=False),
        lambda: lms.open({"audio": False}),
        lambda: lms.get_user_media("{}"),
    ):
        with pytest.raises(lms.TypeError) as info:
            call()
        assert isinstance(info.value, TypeError)  # also Python's TypeError
        assert info.value.name == "TypeError"


@pytest.mark.parametrize(
    "constraints, name",
    [
        ({"video": {"width": {"min": 100000000}}}, "width"),
        ({"video": {"facingMode": {"exact": ""}}}, "facingMode"),
        ({"video": {"deviceId": {"exact": "nope"}}}, "deviceId"),
        ({"audio": {"deviceId": {"exact": "nope"}}}, "deviceId"),
        ({"audio": {"voiceIsolation": {"exact": True}}}, "voiceIsolation"),
        ({"video": {"height": {"max": 0}}}, "height"),
    ],
)
def test_rule_02_an_impossible_required_constraint_is_overconstrained_naming_it(
    constraints: dict[str, object], name: str
) -> None:
    with pytest.raises(lms.OverconstrainedError) as info:
        lms.open(constraints)
    assert info.value.constraint == name
    assert info.value.name == "OverconstrainedError"
    assert name in str(info.value)


def test_rule_03_unknown_keys_and_constraints_of_the_other_kind_are_ignored() -> None:
    stream = lms.open(
        {
            "video": {"bogus": {"exact": 1}},
            "audio": {"width": {"min": 100000000}, "frameRate": {"exact": -1}},
            "peerIdentity": "x",
        }
    )
    assert len(stream.get_tracks()) == 2
    stream.stop()


def test_rule_04_an_unsatisfiable_advanced_set_is_skipped() -> None:
    with lms.open(video={"advanced": [{"width": 100000000}, {"width": 320}]}) as stream:
        assert stream.get_video_tracks()[0].get_settings()["width"] == 320


def test_rule_05_width_ideal_within_min_is_delivered() -> None:
    with lms.open(video={"width": {"ideal": 320, "min": 160}}) as stream:
        track = stream.get_video_tracks()[0]
        assert track.get_settings()["width"] == 320
        assert track.read(timeout=5).width == 320


def test_rule_06_audio_only_gives_one_audio_track_and_video_only_one_video_track() -> None:
    def counts(stream: lms.MediaStream) -> tuple[int, int]:
        with stream:
            return len(stream.get_audio_tracks()), len(stream.get_video_tracks())

    assert counts(lms.open(audio=True)) == (1, 0)
    assert counts(lms.open(video=True, audio=False)) == (0, 1)
    assert counts(lms.open(video=True, audio=True)) == (1, 1)


def test_rule_07_no_device_is_not_found_busy_is_not_readable_policy_is_not_allowed() -> None:
    lms.configure(backends=["fake"], fake={"video": 0, "audio": 1})
    with pytest.raises(lms.NotFoundError):
        lms.open(video=True)
    lms.configure(backends=[])
    with pytest.raises(lms.NotFoundError):
        lms.open(audio=True)

    lms.configure(backends=["fake"], fake={"pacing": "none", "video": 2, "audio": 1})
    lms.fake_device_control("fake:video:0", "busy")
    lms.fake_device_control("fake:video:1", "busy")
    with pytest.raises(lms.NotReadableError):
        lms.open(video=True)
    lms.fake_device_control("fake:video:0", "free")
    lms.open(video=True).stop()

    lms.configure(backends=["fake"], permissions={"camera": "denied"})
    with pytest.raises(lms.NotAllowedError):
        lms.open(video=True)
    lms.open(audio=True).stop()  # the microphone is allowed


# ---- MediaStream ----


def test_rule_08_stream_ids_are_distinct_uuids_and_constructors_hold_the_given_tracks() -> None:
    a = lms.open(video=True, audio=True)
    b = lms.MediaStream()
    assert UUID.match(a.id) and UUID.match(b.id) and a.id != b.id
    assert b.get_tracks() == [] and not b.active
    c = lms.MediaStream(a)
    assert c.id != a.id
    assert len(c.get_tracks()) == 2
    for x, y in zip(a.get_tracks(), c.get_tracks()):
        assert x is y, "built from a stream it holds the same track objects"
    video = a.get_video_tracks()
    d = lms.MediaStream(video)
    assert len(d.get_tracks()) == 1 and d.get_tracks()[0] is video[0]
    a.stop()


def test_rule_09_track_lists_are_current_and_get_track_by_id_gives_the_same_object() -> None:
    with lms.open(video=True, audio=True) as s:
        video = s.get_video_tracks()[0]
        audio = s.get_audio_tracks()[0]
        assert s.get_track_by_id(video.id) is video
        assert s.get_tracks() == s.get_tracks()
        assert all(x is y for x, y in zip(s.get_tracks(), s.get_tracks()))
        assert s.get_track_by_id("not-a-track") is None
        s.remove_track(audio)
        assert s.get_tracks() == [video]
        assert s.get_audio_tracks() == []
        assert s.get_track_by_id(audio.id) is None
        audio.stop()


def test_rule_10_adding_a_present_track_or_removing_an_absent_one_does_nothing() -> None:
    with lms.open(video=True) as s, lms.open(audio=True) as other:
        t = s.get_tracks()[0]
        s.add_track(t)
        assert s.get_tracks() == [t]
        s.remove_track(other.get_tracks()[0])
        assert s.get_tracks() == [t]
        # MediaStream has no addtrack/removetrack listeners at all: nothing can fire.
        assert not hasattr(s, "add_event_listener")


def test_rule_11_active_while_any_track_is_live_and_inactive_streams_accept_changes() -> None:
    s = lms.open(video=True, audio=True)
    assert s.active
    s.get_video_tracks()[0].stop()
    assert s.active, "one track is still live"
    s.get_audio_tracks()[0].stop()
    assert not s.active
    with lms.open(audio=True) as other:
        live = other.get_tracks()[0]
        s.remove_track(s.get_video_tracks()[0])
        s.add_track(live)
        assert s.active, "adding a live track to an inactive stream is allowed"


def test_rule_12_clone_has_new_ids_and_outlives_the_original() -> None:
    s = lms.open(video=True, audio=True)
    c = s.clone()
    assert c.id != s.id
    old = {t.id for t in s.get_tracks()}
    assert not old & {t.id for t in c.get_tracks()}
    s.stop()
    assert c.active
    for t in c.get_tracks():
        assert t.ready_state == "live"
        t.read(timeout=5)  # a clone keeps delivering after the original stopped
    c.stop()


def test_rule_13_stream_stop_stops_every_track() -> None:
    s = lms.open(video=True, audio=True)
    s.stop()
    assert all(t.ready_state == "ended" for t in s.get_tracks())
    assert not s.active
    assert not lms.fake_device_usage("fake:video:0").is_open
    assert not lms.fake_device_usage("fake:audio:0").is_open


# ---- MediaStreamTrack ----


def test_rule_14_a_new_track_is_live_enabled_unmuted_with_a_kind_and_distinct_id() -> None:
    with lms.open(video=True, audio=True) as s:
        a, v = s.get_audio_tracks()[0], s.get_video_tracks()[0]
        for t in (a, v):
            assert t.ready_state == "live" and t.enabled and not t.muted
            assert UUID.match(t.id)
            assert t.label
        assert (a.kind, v.kind) == ("audio", "video")
        assert a.id != v.id


def test_rule_15_stop_ends_at_once_fires_no_ended_and_is_idempotent() -> None:
    s = lms.open(video=True)
    t = s.get_tracks()[0]
    ended = Recorder()
    t.add_event_listener("ended", ended)
    t.stop()
    assert t.ready_state == "ended"
    t.stop()
    assert t.ready_state == "ended"
    assert ended.settled() == [], "stop() fires no ended event"
    with pytest.raises(lms.EndedError):
        t.read(timeout=5)
    assert list(t) == [], "iterating an ended track ends at once"


def test_rule_16_ended_fires_once_when_the_source_ends_by_itself() -> None:
    s = lms.open(video=True, audio=True)
    v = s.get_video_tracks()[0]
    clone = v.clone()
    a = s.get_audio_tracks()[0]
    seen = {"video": Recorder(), "clone": Recorder(), "audio": Recorder()}
    v.add_event_listener("ended", seen["video"])
    clone.add_event_listener("ended", seen["clone"])
    a.add_event_listener("ended", seen["audio"])
    lms.fake_device_control("fake:video:0", "disconnect")
    assert v.ready_state == "ended" and clone.ready_state == "ended"
    lms.fake_device_control("fake:video:0", "reconnect")
    lms.fake_device_control("fake:video:0", "disconnect")
    lms.fake_device_control("fake:audio:0", "fail")
    got = {name: [(e.type, e.detail) for e in r.settled()] for name, r in seen.items()}
    assert got == {
        "video": [("ended", "device disconnected")],
        "clone": [("ended", "device disconnected")],
        "audio": [("ended", "device failed")],
    }
    assert seen["video"].events[0].target is v
    assert seen["clone"].events[0].target is clone
    assert not s.active


def test_rule_17_a_clone_has_a_new_id_same_source_and_settings_and_a_clone_of_ended_is_ended() -> None:
    s = lms.open(video={"width": 320, "height": 240})
    t = s.get_tracks()[0]
    t.enabled = False
    c = t.clone()
    assert c.id != t.id
    assert c.get_settings() == t.get_settings()
    assert c.get_constraints() == t.get_constraints()
    assert not c.enabled, "enabled is copied"
    assert lms.fake_device_usage("fake:video:0").opens == 1, "same source, not a second open"
    t.stop()
    assert t.clone().ready_state == "ended"
    assert c.ready_state == "live"
    c.stop()


def test_rule_18_the_device_is_released_when_the_last_track_goes_and_not_before() -> None:
    def usage() -> tuple[int, int]:
        u = lms.fake_device_usage("fake:video:0")
        return u.opens, u.closes

    s = lms.open(video=True)
    t = s.get_tracks()[0]
    c = t.clone()
    second = lms.open(video={"deviceId": {"exact": "fake:video:0"}})
    assert usage() == (1, 0), "three tracks share one open"
    t.stop()
    assert lms.fake_device_usage("fake:video:0").is_open
    second.stop()
    assert lms.fake_device_usage("fake:video:0").is_open
    del s, t
    gc.collect()
    assert lms.fake_device_usage("fake:video:0").is_open, "the clone still uses the device"
    del c
    gc.collect()
    assert usage() == (1, 1), "collecting the last track released the device"


def test_rule_19_a_disabled_track_delivers_black_video_and_silent_audio() -> None:
    import numpy as np
    with lms.open(video={"width": 160, "height": 120}, audio=True) as s:
        v, a = s.get_video_tracks()[0], s.get_audio_tracks()[0]
        y, _, _ = v.read(timeout=5).to_numpy()
        assert (y > 100).any(), "a live picture is not black"
        v.enabled = False
        a.enabled = False
        # Frames queued before disabling may still be live pictures: skip the queue.
        for _ in range(20):
            y, u, w = v.read(timeout=5).to_numpy()
            if (y == 16).all():
                break
        assert (y == 16).all() and (u == 128).all() and (w == 128).all()
        for _ in range(20):
            samples = a.read(timeout=5).to_numpy()
            if not samples.any():
                break
        assert samples.dtype == np.float32 and not samples.any(), "silence"
    v.enabled = True  # allowed on an ended track; changes nothing else
    assert v.ready_state == "ended"


def test_rule_20_settings_report_what_is_delivered_with_matching_ids() -> None:
    with lms.open(
        video={"width": 352, "height": 288, "frameRate": 15}, audio={"sampleRate": 16000}
    ) as s:
        devices = {d.device_id: d for d in lms.enumerate_devices()}
        for t in s.get_tracks():
            settings = t.get_settings()
            dev = devices[settings["deviceId"]]
            assert settings["groupId"] == dev.group_id
            assert dev.kind == t.kind + "input"
        v = s.get_video_tracks()[0]
        settings = v.get_settings()
        assert type(settings["width"]) is int and type(settings["height"]) is int
        frame = v.read(timeout=5)
        assert (frame.width, frame.height) == (settings["width"], settings["height"])
        assert settings["frameRate"] == 15.0
        a = s.get_audio_tracks()[0]
        chunk = a.read(timeout=5)
        assert a.get_settings()["sampleRate"] == 16000 == chunk.sample_rate
        assert chunk.sample_count == 160, "10 ms chunks by default"


def test_rule_21_capabilities_have_every_property_of_the_kind_with_ordered_ranges() -> None:
    video_props = ["width", "height", "aspectRatio", "frameRate", "facingMode",
                   "resizeMode", "deviceId", "groupId", "pixelFormat"]
    audio_props = ["sampleRate", "sampleSize", "channelCount", "latency", "echoCancellation",
                   "autoGainControl", "noiseSuppression", "voiceIsolation", "deviceId", "groupId",
                   "sampleFormat"]
    with lms.open(video=True, audio=True) as s:
        for t, props in ((s.get_video_tracks()[0], video_props), (s.get_audio_tracks()[0], audio_props)):
            caps = t.get_capabilities()
            for p in props:
                assert p in caps, p
                if isinstance(caps[p], dict):
                    assert caps[p]["min"] <= caps[p]["max"], p
            assert isinstance(caps["deviceId"], str) and isinstance(caps["groupId"], str)


def test_rule_22_apply_constraints_fails_without_changing_anything_or_accepts_ideals() -> None:
    s = lms.open(video={"width": 640, "height": 480})
    t = s.get_tracks()[0]
    before, before_constraints = t.get_settings(), t.get_constraints()
    with pytest.raises(lms.OverconstrainedError) as info:
        t.apply_constraints({"width": {"min": 100000000}})
    assert info.value.constraint == "width"
    assert t.get_settings() == before and t.get_constraints() == before_constraints
    t.apply_constraints({"width": {"ideal": 100000000}})  # an impossible ideal is fine
    t.apply_constraints({"width": 320, "height": 240})
    assert (t.get_settings()["width"], t.get_settings()["height"]) == (320, 240)
    assert t.get_constraints() == {"width": 320, "height": 240}
    assert any(t.read(timeout=5).width == 320 for _ in range(20)), "frames follow"
    t.stop()
    ended = t.get_settings()
    t.apply_constraints({"width": {"exact": 1}})  # succeeds on an ended track...
    assert t.get_settings() == ended  # ...and changes nothing


def test_rule_23_two_tracks_of_one_device_get_their_own_widths() -> None:
    big = lms.open(video={"deviceId": "fake:video:0", "width": 640, "height": 480})
    small = lms.open(video={"deviceId": {"exact": "fake:video:0"}, "width": {"exact": 320}})
    assert lms.fake_device_usage("fake:video:0").opens == 1, "one device, one open"
    b, s = big.get_tracks()[0], small.get_tracks()[0]
    assert b.read(timeout=5).width == 640
    assert s.read(timeout=5).width == 320
    settings = s.get_settings()
    assert (settings["width"], settings["height"], settings["resizeMode"]) == (320, 240, "crop-and-scale")
    big.stop()
    small.stop()


# ---- MediaDevices ----


def test_rule_24_enumerate_devices_lists_inputs_stably() -> None:
    a, b = lms.enumerate_devices(), lms.enumerate_devices()
    assert a == b and len(a) == 3
    # The specification's order: microphones, then cameras, each kind's default first.
    assert [d.device_id for d in a] == ["fake:audio:0", "fake:video:0", "fake:video:1"]
    assert all(x is not y for x, y in zip(a, b)), "distinct objects"
    for d in a:
        assert d.kind in ("audioinput", "videoinput")
        assert d.device_id and d.label and d.group_id
        assert d.to_dict() == {"deviceId": d.device_id, "kind": d.kind,
                               "label": d.label, "groupId": d.group_id}
    assert a[0].get_capabilities()["deviceId"] == a[0].device_id


def test_rule_25_supported_constraints_are_all_true() -> None:
    supported = lms.get_supported_constraints()
    for name in ["deviceId", "groupId", "width", "height", "aspectRatio", "frameRate",
                 "facingMode", "resizeMode", "sampleRate", "sampleSize", "channelCount",
                 "latency", "echoCancellation", "autoGainControl", "noiseSuppression",
                 "voiceIsolation", "pixelFormat", "sampleFormat"]:
        assert supported.get(name) is True, name


def test_rule_26_devicechange_fires_when_the_list_changes() -> None:
    log = Recorder()
    lms.add_device_change_listener(log)
    try:
        lms.fake_device_control("fake:video:1", "mute")
        assert log.settled() == [], "mute does not change the list"
        lms.fake_device_control("fake:video:1", "disconnect")
        assert len(lms.enumerate_devices()) == 2
        lms.fake_device_control("fake:video:1", "reconnect")
        assert [e.type for e in log.settled()] == ["devicechange", "devicechange"]
        assert log.events[0].target is None
        lms.configure(backends=["fake"], fake={"video": 1, "audio": 0})
        assert eventually(lambda: len(log.settled()) == 3), "reconfiguring changed the list"
    finally:
        lms.remove_device_change_listener(log)
    lms.fake_device_control("fake:video:0", "disconnect")
    assert len(log.settled()) == 3, "a removed listener is not called"
