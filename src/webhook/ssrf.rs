//! The SSRF guard: deliveries never reach loopback, private, link-local (cloud metadata),
//! CGNAT, multicast or otherwise reserved addresses unless the configuration allows them.
//!
//! The check runs where the delivery client connects ([`GuardedResolver`], called by
//! [`super::client`] for every new connection), on every address the connection may use,
//! IP-literal hosts included. The address checked is therefore the address connected to:
//! a name that resolves to a public address when validated and to 10.0.0.5 when delivered
//! (DNS rebinding) is still refused, and a pooled connection stays with the address it
//! was checked for. IPv4-mapped IPv6 addresses (`::ffff:127.0.0.1`) are canonicalised to
//! IPv4 first, or they would slip through.
//!
//! An IP-literal host is read directly, never looked up; a name's addresses are
//! remembered for [`NAME_TTL`], so a burst of new connections to one host costs one
//! lookup. The guard still filters them for every connection.

use std::collections::HashMap;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// A CIDR block.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Cidr {
    pub addr: IpAddr,
    pub prefix: u8,
}

impl Cidr {
    pub fn parse(text: &str) -> Result<Cidr, String> {
        let (a, p) = match text.split_once('/') {
            Some((a, p)) => (a, Some(p)),
            None => (text, None),
        };
        let addr: IpAddr = a.trim().parse().map_err(|_| {
            format!("\"{text}\" is not a CIDR block such as 10.0.0.0/8 or fd00::/8")
        })?;
        let max = if addr.is_ipv4() { 32 } else { 128 };
        let prefix = match p {
            Some(p) => p
                .trim()
                .parse::<u8>()
                .ok()
                .filter(|p| *p <= max)
                .ok_or_else(|| format!("\"{text}\": the prefix length must be 0 to {max}"))?,
            None => max,
        };
        Ok(Cidr {
            addr: addr.to_canonical(),
            prefix,
        })
    }

    pub fn contains(&self, ip: IpAddr) -> bool {
        match (self.addr, ip.to_canonical()) {
            (IpAddr::V4(net), IpAddr::V4(ip)) => prefix_match(
                u32::from(net) as u128,
                u32::from(ip) as u128,
                self.prefix,
                32,
            ),
            (IpAddr::V6(net), IpAddr::V6(ip)) => {
                prefix_match(u128::from(net), u128::from(ip), self.prefix, 128)
            }
            _ => false,
        }
    }
}

fn prefix_match(net: u128, ip: u128, prefix: u8, bits: u8) -> bool {
    if prefix == 0 {
        return true;
    }
    let shift = bits - prefix;
    (net >> shift) == (ip >> shift)
}

const fn v4(a: u8, b: u8, c: u8, d: u8, prefix: u8) -> Cidr {
    Cidr {
        addr: IpAddr::V4(Ipv4Addr::new(a, b, c, d)),
        prefix,
    }
}

const fn v6(segs: [u16; 8], prefix: u8) -> Cidr {
    Cidr {
        addr: IpAddr::V6(Ipv6Addr::new(
            segs[0], segs[1], segs[2], segs[3], segs[4], segs[5], segs[6], segs[7],
        )),
        prefix,
    }
}

/// Ranges a delivery may not reach, with why, for the recorded reason.
const BLOCKED: &[(Cidr, &str)] = &[
    (v4(0, 0, 0, 0, 8), "\"this network\" (0.0.0.0/8)"),
    (v4(10, 0, 0, 0, 8), "private (10.0.0.0/8)"),
    (v4(100, 64, 0, 0, 10), "carrier-grade NAT (100.64.0.0/10)"),
    (v4(127, 0, 0, 0, 8), "loopback (127.0.0.0/8)"),
    (
        v4(169, 254, 0, 0, 16),
        "link-local, incl. cloud metadata (169.254.0.0/16)",
    ),
    (v4(172, 16, 0, 0, 12), "private (172.16.0.0/12)"),
    (
        v4(192, 0, 0, 0, 24),
        "IETF protocol assignments (192.0.0.0/24)",
    ),
    (v4(192, 0, 2, 0, 24), "documentation (192.0.2.0/24)"),
    (v4(192, 168, 0, 0, 16), "private (192.168.0.0/16)"),
    (v4(198, 18, 0, 0, 15), "benchmarking (198.18.0.0/15)"),
    (v4(198, 51, 100, 0, 24), "documentation (198.51.100.0/24)"),
    (v4(203, 0, 113, 0, 24), "documentation (203.0.113.0/24)"),
    (v4(224, 0, 0, 0, 4), "multicast (224.0.0.0/4)"),
    (
        v4(240, 0, 0, 0, 4),
        "reserved, incl. broadcast (240.0.0.0/4)",
    ),
    (v6([0, 0, 0, 0, 0, 0, 0, 0], 128), "unspecified (::)"),
    (v6([0, 0, 0, 0, 0, 0, 0, 1], 128), "loopback (::1)"),
    (
        v6([0x64, 0xff9b, 0, 0, 0, 0, 0, 0], 96),
        "NAT64 (64:ff9b::/96)",
    ),
    (v6([0x100, 0, 0, 0, 0, 0, 0, 0], 64), "discard (100::/64)"),
    (
        v6([0x2001, 0xdb8, 0, 0, 0, 0, 0, 0], 32),
        "documentation (2001:db8::/32)",
    ),
    (v6([0x2002, 0, 0, 0, 0, 0, 0, 0], 16), "6to4 (2002::/16)"),
    (
        v6([0xfc00, 0, 0, 0, 0, 0, 0, 0], 7),
        "unique local (fc00::/7)",
    ),
    (
        v6([0xfe80, 0, 0, 0, 0, 0, 0, 0], 10),
        "link-local (fe80::/10)",
    ),
    (v6([0xff00, 0, 0, 0, 0, 0, 0, 0], 8), "multicast (ff00::/8)"),
];

/// What the guard lets through.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Policy {
    /// Allow every address (`webhooks.allow_private`).
    pub allow_private: bool,
    /// Blocks allowed despite the list above (`webhooks.allowed_cidrs`).
    pub allowed: Vec<Cidr>,
}

impl Policy {
    pub fn new(allow_private: bool, cidrs: &[String]) -> Result<Policy, String> {
        Ok(Policy {
            allow_private,
            allowed: cidrs
                .iter()
                .map(|c| Cidr::parse(c))
                .collect::<Result<_, _>>()?,
        })
    }

    /// `None` when `ip` may be reached; else why not.
    pub fn refusal(&self, ip: IpAddr) -> Option<&'static str> {
        if self.allow_private {
            return None;
        }
        let ip = ip.to_canonical();
        let why = BLOCKED
            .iter()
            .find(|(c, _)| c.contains(ip))
            .map(|(_, w)| *w)?;
        if self.allowed.iter().any(|c| c.contains(ip)) {
            return None;
        }
        Some(why)
    }

    /// Keep the addresses that may be reached; if none is left, say why each was refused.
    pub fn filter(&self, host: &str, addrs: &[SocketAddr]) -> Result<Vec<SocketAddr>, Blocked> {
        let mut kept = Vec::new();
        let mut refused = Vec::new();
        for a in addrs {
            match self.refusal(a.ip()) {
                None => kept.push(*a),
                Some(why) => refused.push(format!("{} is {why}", a.ip().to_canonical())),
            }
        }
        if kept.is_empty() && !refused.is_empty() {
            return Err(Blocked {
                host: host.to_string(),
                reasons: refused,
            });
        }
        Ok(kept)
    }
}

/// A delivery refused because every address of the host is off limits.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "refused by the SSRF guard: {host} resolves only to addresses deliveries may not reach ({}); allow them with webhooks.allowed_cidrs or webhooks.allow_private",
    reasons.join("; ")
)]
pub struct Blocked {
    pub host: String,
    pub reasons: Vec<String>,
}

/// How long the addresses a name resolved to are reused.
pub const NAME_TTL: Duration = Duration::from_secs(2);

/// Names remembered at most; beyond, the memory starts afresh.
const NAMES_KEPT: usize = 1024;

/// Why the addresses of a delivery's host could not be had.
#[derive(Debug, thiserror::Error)]
pub enum ResolveError {
    #[error(transparent)]
    Blocked(#[from] Blocked),
    #[error("the host name does not resolve")]
    NotFound,
}

/// Name resolution with the policy applied to what it returns: the connector asks it for
/// the addresses of every new connection and connects only to those.
#[derive(Debug)]
pub struct GuardedResolver {
    policy: Arc<Policy>,
    /// `host:port` → its addresses (before the policy) and when they were looked up.
    names: Mutex<HashMap<String, (Vec<SocketAddr>, Instant)>>,
}

impl GuardedResolver {
    pub fn new(policy: Arc<Policy>) -> Self {
        GuardedResolver {
            policy,
            names: Mutex::new(HashMap::new()),
        }
    }

    /// The addresses `host` (a name, an IPv4 literal or a bracketed IPv6 literal, as in a
    /// URL) may be reached at on `port`, in their canonical form: an IPv4-mapped address
    /// is an IPv4 peer.
    pub async fn resolve(&self, host: &str, port: u16) -> Result<Vec<SocketAddr>, ResolveError> {
        let all = self.addresses(host, port).await?;
        let kept = self.policy.filter(host, &all)?;
        let out: Vec<SocketAddr> = kept
            .into_iter()
            .map(|a| SocketAddr::new(a.ip().to_canonical(), a.port()))
            .collect();
        if out.is_empty() {
            return Err(ResolveError::NotFound);
        }
        Ok(out)
    }

    /// Every address `host` may connect to, before the policy. An IP literal is read as
    /// it is: it must be checked like any resolved address, never looked up.
    async fn addresses(&self, host: &str, port: u16) -> Result<Vec<SocketAddr>, ResolveError> {
        let literal = host
            .strip_prefix('[')
            .and_then(|h| h.strip_suffix(']'))
            .unwrap_or(host);
        if let Ok(ip) = literal.parse::<IpAddr>() {
            return Ok(vec![SocketAddr::new(ip, port)]);
        }
        let key = format!("{host}:{port}");
        let lock = || self.names.lock().unwrap_or_else(|e| e.into_inner());
        if let Some((addrs, at)) = lock().get(&key)
            && at.elapsed() < NAME_TTL
        {
            return Ok(addrs.clone());
        }
        let at = Instant::now();
        let addrs: Vec<SocketAddr> = tokio::net::lookup_host((literal, port))
            .await
            .map_err(|_| ResolveError::NotFound)?
            .collect();
        let mut names = lock();
        if names.len() >= NAMES_KEPT {
            names.clear();
        }
        names.insert(key, (addrs.clone(), at));
        Ok(addrs)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn addr(s: &str) -> SocketAddr {
        s.parse().unwrap()
    }

    #[test]
    fn refuses_internal_ranges_after_canonicalising() {
        let p = Policy::default();
        for ip in [
            "127.0.0.1",
            "10.1.2.3",
            "172.20.0.1",
            "192.168.1.1",
            "169.254.169.254",
            "100.64.0.1",
            "0.0.0.0",
            "224.0.0.1",
            "255.255.255.255",
            "198.18.0.1",
            "240.0.0.1",
            "::1",
            "::",
            "fd00::1",
            "fe80::1",
            "ff02::1",
            "64:ff9b::a00:1",
            "::ffff:127.0.0.1",
            "::ffff:10.0.0.1",
            "::ffff:169.254.169.254",
        ] {
            let ip: IpAddr = ip.parse().unwrap();
            assert!(p.refusal(ip).is_some(), "{ip} should be refused");
        }
        for ip in [
            "93.184.216.34",
            "8.8.8.8",
            "2606:4700::1111",
            "::ffff:8.8.8.8",
        ] {
            let ip: IpAddr = ip.parse().unwrap();
            assert!(p.refusal(ip).is_none(), "{ip} should be allowed");
        }
    }

    #[test]
    fn a_name_resolving_to_a_private_address_is_refused_with_a_reason() {
        // As if DNS answered 10.0.0.7 for hooks.example.com.
        let p = Policy::default();
        let err = p
            .filter("hooks.example.com", &[addr("10.0.0.7:443")])
            .unwrap_err();
        let text = err.to_string();
        assert!(text.contains("hooks.example.com"), "{text}");
        assert!(text.contains("10.0.0.7 is private (10.0.0.0/8)"), "{text}");
        // Mixed answers keep only the public addresses.
        let kept = p
            .filter("x", &[addr("10.0.0.7:443"), addr("93.184.216.34:443")])
            .unwrap();
        assert_eq!(kept, vec![addr("93.184.216.34:443")]);
    }

    #[tokio::test]
    async fn ip_literals_are_read_without_a_lookup_and_still_checked() {
        let r = GuardedResolver::new(Arc::new(Policy::default()));
        assert_eq!(
            r.resolve("93.184.216.34", 443).await.unwrap(),
            vec![addr("93.184.216.34:443")]
        );
        assert_eq!(
            r.resolve("[2606:4700::1111]", 8080).await.unwrap(),
            vec![addr("[2606:4700::1111]:8080")]
        );
        for host in ["127.0.0.1", "[::1]", "[::ffff:10.0.0.1]", "169.254.169.254"] {
            let err = r.resolve(host, 80).await.unwrap_err();
            assert!(matches!(&err, ResolveError::Blocked(_)), "{host}: {err}");
        }
    }

    #[tokio::test]
    async fn an_allowed_mapped_address_is_connected_to_as_ipv4() {
        let r = GuardedResolver::new(Arc::new(
            Policy::new(false, &["127.0.0.0/8".into()]).unwrap(),
        ));
        assert_eq!(
            r.resolve("[::ffff:127.0.0.1]", 9).await.unwrap(),
            vec![addr("127.0.0.1:9")]
        );
    }

    #[tokio::test]
    async fn names_are_checked_after_they_resolve() {
        // `localhost` needs no DNS server: it resolves to loopback only.
        let r = GuardedResolver::new(Arc::new(Policy::default()));
        let err = r.resolve("localhost", 80).await.unwrap_err();
        assert!(err.to_string().contains("localhost"), "{err}");
        assert!(err.to_string().contains("is loopback"), "{err}");
        let allowed = GuardedResolver::new(Arc::new(
            Policy::new(false, &["127.0.0.0/8".into(), "::1/128".into()]).unwrap(),
        ));
        let addrs = allowed.resolve("localhost", 80).await.unwrap();
        assert!(addrs.iter().all(|a| a.ip().is_loopback()), "{addrs:?}");
    }

    #[test]
    fn allow_lists() {
        let p = Policy::new(false, &["127.0.0.0/8".into(), "fd00::/8".into()]).unwrap();
        assert!(p.refusal("127.0.0.1".parse().unwrap()).is_none());
        assert!(p.refusal("::ffff:127.0.0.1".parse().unwrap()).is_none());
        assert!(p.refusal("fd12::1".parse().unwrap()).is_none());
        assert!(p.refusal("10.0.0.1".parse().unwrap()).is_some());
        assert!(
            Policy::new(true, &[])
                .unwrap()
                .refusal("10.0.0.1".parse().unwrap())
                .is_none()
        );
        assert!(Cidr::parse("10.0.0.0/33").is_err());
        assert!(Cidr::parse("nope").is_err());
    }
}
