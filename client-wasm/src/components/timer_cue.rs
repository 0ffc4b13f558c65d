//! The timer's end, heard and felt: an opt-in short beep (WebAudio, synthesised: no audio
//! file to download) and a vibration, when the shared timer runs out. Opt-in per device
//! and kept in this browser only: a room full of phones beeping at once is a choice each
//! person (and the projector's laptop) makes for themselves.

use crate::hooks::use_clock;
use crate::i18n::use_t;
use crate::storage;
use cafe_shared::Timer;
use std::cell::RefCell;
use yew::prelude::*;

/// A browser's answer to "beep and vibrate when time is up?": `"on"`, else off.
const CUE_KEY: &str = "cafe.timer_cue";

/// A timer counts as run out this close to its end: a pause or a new timer within this
/// last moment still rings, while a timer stopped early does not.
const GRACE_MS: i64 = 500;

thread_local! {
    // One context per page: browsers limit how many may exist, and one made during a tap
    // (the toggle) is allowed to play later without another tap.
    static AUDIO: RefCell<Option<web_sys::AudioContext>> = const { RefCell::new(None) };
}

fn audio() -> Option<web_sys::AudioContext> {
    AUDIO.with(|a| {
        let mut a = a.borrow_mut();
        if a.is_none() {
            *a = web_sys::AudioContext::new().ok();
        }
        a.clone()
    })
}

/// About 0.4 s of a soft 880 Hz tone that fades in and out (no click), and a short
/// vibration where the device has a motor. Failures are silent: a cue is a nicety.
fn ring() {
    if let Some(ctx) = audio() {
        let _ = ctx.resume();
        if let (Ok(osc), Ok(gain)) = (ctx.create_oscillator(), ctx.create_gain()) {
            let t0 = ctx.current_time();
            osc.frequency().set_value(880.0);
            let g = gain.gain();
            let _ = g.set_value_at_time(0.0001, t0);
            let _ = g.exponential_ramp_to_value_at_time(0.25, t0 + 0.03);
            let _ = g.exponential_ramp_to_value_at_time(0.0001, t0 + 0.4);
            let _ = osc.connect_with_audio_node(&gain);
            let _ = gain.connect_with_audio_node(&ctx.destination());
            let _ = osc.start();
            let _ = osc.stop_with_when(t0 + 0.45);
        }
    }
    if let Some(w) = web_sys::window() {
        let _ = w.navigator().vibrate_with_duration(300);
    }
}

#[derive(Properties, PartialEq)]
pub struct TimerCueProps {
    pub timer: Timer,
    pub clock_offset: i64,
}

/// The toggle, and the watch on the timer behind it. `data-cues` counts the ends this page
/// noticed, rung for while the toggle is on (tests read it: nobody can hear a headless
/// browser).
#[function_component(TimerCue)]
pub fn timer_cue(p: &TimerCueProps) -> Html {
    let t = use_t();
    let on = use_state(|| storage::get_raw(CUE_KEY).as_deref() == Some("on"));
    let running_end = match p.timer {
        Timer::Running { ends_at, .. } => Some(ends_at),
        _ => None,
    };
    let now = use_clock(running_end.is_some(), 250) + p.clock_offset;
    let ended = |timer: Timer, now: i64| match timer {
        Timer::Ended { ended_at, .. } => Some(ended_at),
        Timer::Running { ends_at, .. } if now >= ends_at => Some(ends_at),
        _ => None,
    };
    // An end that was over before this page opened is not news.
    let rung = use_mut_ref(|| ended(p.timer, now));
    let seen = use_mut_ref(|| None::<i64>);
    let count = use_mut_ref(|| 0u32);
    // The end of the timer seen running last time, if it has passed whatever the timer is
    // now (auto-advance may replace an ended timer with the next round's before this page
    // draws the end), else the end the timer itself shows.
    let passed = (*seen.borrow()).filter(|e| now + GRACE_MS >= *e);
    let due = passed.or_else(|| ended(p.timer, now));
    *seen.borrow_mut() = running_end;
    if let Some(e) = due {
        if *rung.borrow() != Some(e) {
            *rung.borrow_mut() = Some(e);
            *count.borrow_mut() += 1;
            if *on {
                ring();
            }
        }
    }
    let toggle = {
        let on = on.clone();
        Callback::from(move |_| {
            let next = !*on;
            storage::set_raw(CUE_KEY, if next { "on" } else { "off" });
            if next {
                // Made during this tap, the audio context may play when time is up; the
                // tone now says what to expect.
                ring();
            }
            on.set(next);
        })
    };
    let cues = *count.borrow();
    html! {
        <button type="button" id="timer-cue" class={classes!("btn", "btn-small", "timer-cue", on.then_some("btn-on"))}
            aria-pressed={on.to_string()} onclick={toggle} data-cues={cues.to_string()}>
            <span aria-hidden="true">{ if *on { "🔔 " } else { "🔕 " } }</span>
            { t.t("timer.cue") }
        </button>
    }
}
