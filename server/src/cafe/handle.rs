//! The café as seen from outside its task: [`CafeHandle`] sends it [`Msg`]s.

use super::conn::{ConnId, ConnLink};
use cafe_shared::{
    Audience, CafeId, CafeState, Command, Grant, Location, PersonId, Rejection, ResumePoint, Role,
};
use std::sync::Arc;
use tokio::sync::{mpsc, oneshot};
use tungstenite::Utf8Bytes;

pub type Inspect = Box<dyn FnOnce(&CafeState, u64, u64) + Send>;

pub enum Msg {
    Attach {
        conn: ConnId,
        person: Option<PersonId>,
        /// The access link the token was made from ([`CafeState::admits`]).
        grant: Option<Grant>,
        resume: Option<ResumePoint>,
        link: Arc<ConnLink>,
        reply: oneshot::Sender<Result<(), Rejection>>,
    },
    Detach {
        conn: ConnId,
    },
    Command {
        conn: ConnId,
        person: PersonId,
        id: String,
        command: Command,
    },
    Join {
        name: String,
        role: Role,
        location: Location,
        reply: oneshot::Sender<Result<PersonId, Rejection>>,
    },
    /// Runs a read-only closure on the committed state (public info, exports).
    Inspect(Inspect),
    /// Cluster mode, on the owner: a socket of another node says hello.
    RemoteAttach {
        node: String,
        conn: ConnId,
        person: Option<PersonId>,
        grant: Option<Grant>,
        resume: Option<ResumePoint>,
        reply: oneshot::Sender<Result<RemoteWelcome, Rejection>>,
    },
    RemoteDetach {
        node: String,
        conn: ConnId,
    },
    /// A command from a socket of another node; answered once stored.
    RemoteCommand {
        person: PersonId,
        id: String,
        command: Command,
        reply: oneshot::Sender<RemoteOutcome>,
    },
}

/// An attach from another node, answered: welcome and catch-up as of `seq`.
pub struct RemoteWelcome {
    pub seq: u64,
    pub audience: Audience,
    pub frames: Vec<Utf8Bytes>,
}

/// A forwarded command's `ack`/`reject` frame, and the seq of an ack.
pub struct RemoteOutcome {
    pub frame: Utf8Bytes,
    pub seq: Option<u64>,
}

/// The café as seen from outside its task.
#[derive(Clone)]
pub struct CafeHandle {
    pub id: CafeId,
    pub(super) tx: mpsc::Sender<Msg>,
}

impl CafeHandle {
    /// A handle and the receiving end of its queue, for whatever serves the café: the
    /// actor, or in cluster mode a relay to its owner.
    pub fn channel(id: CafeId, capacity: usize) -> (Self, mpsc::Receiver<Msg>) {
        let (tx, rx) = mpsc::channel(capacity.max(1));
        (Self { id, tx }, rx)
    }
}

/// The café's task has stopped (shutdown or a store failure); try again to reload it.
#[derive(Debug, Clone, Copy, thiserror::Error)]
#[error("the café is not available right now")]
pub struct Gone;

impl CafeHandle {
    pub fn is_closed(&self) -> bool {
        self.tx.is_closed()
    }

    pub async fn send(&self, msg: Msg) -> Result<(), Gone> {
        self.tx.send(msg).await.map_err(|_| Gone)
    }

    pub async fn attach(
        &self,
        conn: ConnId,
        person: Option<PersonId>,
        grant: Option<Grant>,
        resume: Option<ResumePoint>,
        link: Arc<ConnLink>,
    ) -> Result<Result<(), Rejection>, Gone> {
        let (reply, rx) = oneshot::channel();
        self.send(Msg::Attach {
            conn,
            person,
            grant,
            resume,
            link,
            reply,
        })
        .await?;
        rx.await.map_err(|_| Gone)
    }

    pub async fn join(
        &self,
        name: String,
        role: Role,
        location: Location,
    ) -> Result<Result<PersonId, Rejection>, Gone> {
        let (reply, rx) = oneshot::channel();
        self.send(Msg::Join {
            name,
            role,
            location,
            reply,
        })
        .await?;
        rx.await.map_err(|_| Gone)
    }

    /// A person's command from an HTTP request (access links): answered once stored, with
    /// its seq or the rejection. In cluster mode the relay forwards it to the owner.
    pub async fn command_as(
        &self,
        person: PersonId,
        command: Command,
    ) -> Result<Result<u64, Rejection>, Gone> {
        let (reply, rx) = oneshot::channel();
        let id = format!("http-{:016x}", rand::random::<u64>());
        self.send(Msg::RemoteCommand {
            person,
            id,
            command,
            reply,
        })
        .await?;
        let outcome = rx.await.map_err(|_| Gone)?;
        if let Some(seq) = outcome.seq {
            return Ok(Ok(seq));
        }
        Ok(Err(
            match serde_json::from_str::<cafe_shared::ServerFrame>(outcome.frame.as_str()) {
                Ok(cafe_shared::ServerFrame::Reject { code, message, .. }) => {
                    Rejection::new(code, message)
                }
                _ => Rejection::new(cafe_shared::ErrorCode::Internal, "no answer to the command"),
            },
        ))
    }

    /// Runs `f(state, epoch, seq)` inside the actor on the committed state.
    pub async fn inspect<T: Send + 'static>(
        &self,
        f: impl FnOnce(&CafeState, u64, u64) -> T + Send + 'static,
    ) -> Result<T, Gone> {
        let (tx, rx) = oneshot::channel();
        self.send(Msg::Inspect(Box::new(move |s, e, q| {
            let _ = tx.send(f(s, e, q));
        })))
        .await?;
        rx.await.map_err(|_| Gone)
    }
}
