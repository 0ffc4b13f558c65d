//! The phase and the timer: what the café is doing now and for how long.

use crate::components::confirm::ConfirmButton;
use crate::components::form::input_value;
use crate::hooks::use_send;
use crate::i18n::use_t;
use crate::pages::{minutes_to_secs, Ctx};
use cafe_shared::{CafeState, Command, Millis, Phase, Timer};
use yew::prelude::*;

pub(super) fn phase_card(ctx: &Ctx, state: &CafeState) -> Html {
    let t = ctx.t;
    let send = ctx.send();
    html! {
        <section class="card" aria-labelledby="phase-title">
            <h2 id="phase-title">{ t.t("console.phase") }</h2>
            <div class="phase-steps" role="group" aria-label={t.t("console.phase")}>
                { for Phase::ALL.iter().map(|ph| {
                    let on = *ph == state.phase;
                    let send = send.clone();
                    let ph = *ph;
                    // Closing ends the café for everyone at once: asked first (issue 11).
                    if ph == Phase::Closed && !on {
                        return html! {
                            <ConfirmButton id={format!("phase-{}", ph.as_str())} class={classes!("step")}
                                aria_pressed={Some(AttrValue::from("false"))} label={t.phase(ph)}
                                question={Html::from(t.t("confirm.close_cafe"))} yes={Html::from(t.t("confirm.close_yes"))}
                                on_confirm={send.reform(move |()| Command::SetPhase { phase: ph })} />
                        };
                    }
                    html! {
                        <button id={format!("phase-{}", ph.as_str())}
                            class={classes!("step", on.then_some("step-on"))} aria-pressed={on.to_string()}
                            onclick={Callback::from(move |_| send.emit(Command::SetPhase { phase: ph }))}>
                            { t.phase(ph) }
                        </button>
                    }
                }) }
            </div>
            <p class="muted">{ t.f("console.ready_count", &[
                ("n", &state.active_people().filter(|p| p.ready).count()),
                ("total", &state.active_people().filter(|p| !p.role.is_facilitator()).count()),
            ]) }</p>
        </section>
    }
}

/// Which timer buttons the server would accept now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct TimerCan {
    pub(super) start: bool,
    pub(super) pause: bool,
    pub(super) resume: bool,
    pub(super) extend: bool,
}

impl TimerCan {
    pub(super) fn new(ctx: &Ctx, state: &CafeState, now: Millis) -> Self {
        Self {
            start: ctx.allowed(|me| state.may_facilitate(me)),
            pause: ctx.allowed(|me| state.may_pause_timer(me, now)),
            resume: ctx.allowed(|me| state.may_resume_timer(me)),
            extend: ctx.allowed(|me| state.may_extend_timer(me)),
        }
    }
}

#[derive(Properties, PartialEq)]
pub(super) struct TimerCardProps {
    pub(super) timer: Timer,
    pub(super) can: TimerCan,
}

#[function_component(TimerCard)]
pub(super) fn timer_card(p: &TimerCardProps) -> Html {
    let t = use_t();
    let minutes = use_state(|| "5".to_string());
    let sender = use_send();
    // Each button builds its command when clicked, so the bundle needs no `Command::clone`.
    let secs = minutes_to_secs(&minutes);
    let send = |c: fn(u32) -> Command| {
        let sender = sender.clone();
        Callback::from(move |_: MouseEvent| sender.emit(c(secs)))
    };
    let oninput = {
        let minutes = minutes.clone();
        Callback::from(move |e: InputEvent| minutes.set(input_value(&e)))
    };
    let can = p.can;
    html! {
        <section class="card" aria-labelledby="timer-title">
            <h2 id="timer-title">{ t.t("console.timer") }</h2>
            <div class="inline-form">
                <label class="field field-inline">
                    <span>{ t.t("console.minutes") }</span>
                    <input id="timer-minutes" class="input input-num" type="number" min="0.1" step="0.5" value={(*minutes).clone()} {oninput} />
                </label>
                <button id="timer-start" class="btn btn-primary" disabled={!can.start} onclick={send(|s| Command::StartTimer { duration_secs: s })}>{ t.t("timer.start") }</button>
            </div>
            <div class="button-row">
                if can.pause { <button id="timer-pause" class="btn" onclick={send(|_| Command::PauseTimer)}>{ t.t("timer.pause") }</button> }
                if can.resume { <button id="timer-resume" class="btn" onclick={send(|_| Command::ResumeTimer)}>{ t.t("timer.resume") }</button> }
                // Stopping an idle timer changes nothing, so Stop goes with Extend.
                if can.extend {
                    <button id="timer-extend" class="btn" onclick={send(|_| Command::ExtendTimer { secs: 60 })}>{ t.t("timer.extend") }</button>
                    <button id="timer-stop" class="btn btn-ghost" onclick={send(|_| Command::StopTimer)}>{ t.t("timer.stop") }</button>
                }
            </div>
        </section>
    }
}
