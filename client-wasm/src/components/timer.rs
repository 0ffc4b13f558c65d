//! The countdown. `ends_at` is absolute server time; we correct our clock by the offset
//! measured with ping/pong so a phone with a wrong clock still shows the room's time.

use crate::hooks::use_clock;
use crate::i18n::use_t;
use cafe_shared::Timer;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct TimerProps {
    pub timer: Timer,
    pub clock_offset: i64,
    #[prop_or_default]
    pub big: bool,
}

pub fn format_ms(ms: i64) -> String {
    // Round up so "0:00" appears only when time is really up.
    let secs = (ms.max(0) + 999) / 1000;
    let (h, m, s) = (secs / 3600, (secs / 60) % 60, secs % 60);
    if h > 0 {
        format!("{h}:{m:02}:{s:02}")
    } else {
        format!("{m}:{s:02}")
    }
}

#[function_component(TimerView)]
pub fn timer_view(p: &TimerProps) -> Html {
    let t = use_t();
    let running = matches!(p.timer, Timer::Running { .. });
    let now = use_clock(running, 250) + p.clock_offset;
    let remaining = p.timer.remaining_ms(now);
    let (label, state) = match p.timer {
        Timer::Idle => return html! {},
        Timer::Running { .. } => (t.t("timer.running"), "running"),
        Timer::Paused { .. } => (t.t("timer.paused"), "paused"),
        Timer::Ended { .. } => (t.t("timer.ended"), "ended"),
    };
    let urgent = running && remaining < 30_000;
    let class = classes!(
        "timer",
        format!("timer-{state}"),
        urgent.then_some("timer-urgent"),
        p.big.then_some("timer-big")
    );
    html! {
        <div {class} role="timer" aria-label={label}>
            <span class="timer-digits">{ format_ms(remaining) }</span>
            if !running { <span class="timer-state">{ label }</span> }
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    #[test]
    fn formats_countdowns() {
        assert_eq!(format_ms(0), "0:00");
        assert_eq!(format_ms(1), "0:01");
        assert_eq!(format_ms(61_000), "1:01");
        assert_eq!(format_ms(3_600_000), "1:00:00");
        assert_eq!(format_ms(-5), "0:00");
    }
}
