//! A minimal HTTP/1.1 keep-alive client for the few JSON calls the load generator makes
//! (create café, join). Hand-rolled instead of pulling in hyper/reqwest: setup needs only
//! POST with a JSON body, and keeping one socket per task alive avoids burning thousands of
//! ephemeral ports in TIME_WAIT before the WebSocket connections even start.

use anyhow::{anyhow, bail, Context, Result};
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpSocket, TcpStream};

/// Responses larger than this are refused: setup answers are a few hundred bytes.
const MAX_BODY: usize = 1 << 20;

pub struct Http {
    addr: SocketAddr,
    /// Loopback source address; the server throttles café creation per client IP, so setup
    /// of many cafés spreads over 127.0.0.x.
    source: Option<Ipv4Addr>,
    conn: Option<BufReader<TcpStream>>,
}

pub struct Response {
    pub status: u16,
    pub body: String,
}

impl Http {
    pub fn new(addr: SocketAddr) -> Self {
        Self {
            addr,
            source: None,
            conn: None,
        }
    }

    pub fn from_source(addr: SocketAddr, source: Ipv4Addr) -> Self {
        Self {
            addr,
            source: Some(source),
            conn: None,
        }
    }

    /// POSTs `body`; retries once on a fresh socket when the kept-alive one was closed by
    /// the server between requests (normal keep-alive behaviour, not an error).
    pub async fn post_json(&mut self, path: &str, body: &str) -> Result<Response> {
        match self.try_post(path, body).await {
            Ok(r) => Ok(r),
            Err(_) => {
                self.conn = None;
                self.try_post(path, body).await
            }
        }
    }

    pub async fn get(&mut self, path: &str) -> Result<Response> {
        match self.try_request("GET", path, None).await {
            Ok(r) => Ok(r),
            Err(_) => {
                self.conn = None;
                self.try_request("GET", path, None).await
            }
        }
    }

    async fn try_post(&mut self, path: &str, body: &str) -> Result<Response> {
        self.try_request("POST", path, Some(body)).await
    }

    async fn try_request(
        &mut self,
        method: &str,
        path: &str,
        body: Option<&str>,
    ) -> Result<Response> {
        if self.conn.is_none() {
            let sock = TcpSocket::new_v4()?;
            if let Some(ip) = self.source {
                sock.bind(SocketAddr::new(IpAddr::V4(ip), 0))?;
            }
            let s = sock
                .connect(self.addr)
                .await
                .with_context(|| format!("connecting to {}", self.addr))?;
            s.set_nodelay(true)?;
            self.conn = Some(BufReader::new(s));
        }
        let conn = self.conn.as_mut().ok_or_else(|| anyhow!("no connection"))?;
        let mut req = format!(
            "{method} {path} HTTP/1.1\r\nHost: {}\r\nAccept: application/json\r\n",
            self.addr
        );
        if let Some(b) = body {
            req.push_str(&format!(
                "Content-Type: application/json\r\nContent-Length: {}\r\n",
                b.len()
            ));
        }
        req.push_str("\r\n");
        if let Some(b) = body {
            req.push_str(b);
        }
        conn.get_mut().write_all(req.as_bytes()).await?;

        let mut line = String::new();
        if conn.read_line(&mut line).await? == 0 {
            bail!("connection closed before the status line");
        }
        let status: u16 = line
            .split_whitespace()
            .nth(1)
            .and_then(|s| s.parse().ok())
            .ok_or_else(|| anyhow!("bad status line {line:?}"))?;
        let mut length: Option<usize> = None;
        let mut chunked = false;
        let mut close = false;
        loop {
            line.clear();
            if conn.read_line(&mut line).await? == 0 {
                bail!("connection closed inside the headers");
            }
            let l = line.trim_end();
            if l.is_empty() {
                break;
            }
            if let Some((k, v)) = l.split_once(':') {
                let v = v.trim();
                if k.eq_ignore_ascii_case("content-length") {
                    length = v.parse().ok();
                } else if k.eq_ignore_ascii_case("transfer-encoding") {
                    chunked = v.eq_ignore_ascii_case("chunked");
                } else if k.eq_ignore_ascii_case("connection") {
                    close = v.eq_ignore_ascii_case("close");
                }
            }
        }
        let mut buf = Vec::new();
        if chunked {
            loop {
                line.clear();
                conn.read_line(&mut line).await?;
                let size = usize::from_str_radix(line.trim().split(';').next().unwrap_or(""), 16)
                    .map_err(|_| anyhow!("bad chunk size {line:?}"))?;
                if size == 0 {
                    line.clear();
                    conn.read_line(&mut line).await?;
                    break;
                }
                if buf.len() + size > MAX_BODY {
                    bail!("response body too large");
                }
                let start = buf.len();
                buf.resize(start + size + 2, 0);
                conn.read_exact(&mut buf[start..]).await?;
                buf.truncate(start + size);
            }
        } else if let Some(n) = length {
            if n > MAX_BODY {
                bail!("response body too large");
            }
            buf.resize(n, 0);
            conn.read_exact(&mut buf).await?;
        } else {
            conn.read_to_end(&mut buf).await?;
            close = true;
        }
        if close {
            self.conn = None;
        }
        Ok(Response {
            status,
            body: String::from_utf8_lossy(&buf).into_owned(),
        })
    }
}
