//! Host-based authentication rules, like PostgreSQL's `pg_hba.conf`: each
//! rule names a connection type, databases, users, a client address range
//! and a method; the first rule matching a connection decides how it
//! authenticates. No match means the connection is refused.
//!
//! The default (no `[[hba]]` in the config) is `initdb`'s for loopback —
//! `trust` — and SCRAM over TLS for everyone else.

use std::net::IpAddr;

use serde::Deserialize;

/// Which connections a rule covers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ConnectionType {
    /// Any TCP connection.
    Host,
    /// TCP connections that negotiated TLS.
    HostSsl,
    /// TCP connections without TLS.
    HostNoSsl,
}

/// How a matching connection authenticates.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Method {
    Trust,
    ScramSha256,
    Reject,
}

/// An address range: an address and how many leading bits must match.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Cidr {
    addr: IpAddr,
    bits: u8,
}

impl Cidr {
    /// Reads `a.b.c.d/n`, `x::y/n` or a bare address (all bits).
    pub fn parse(text: &str) -> Option<Cidr> {
        let (addr, bits) = match text.split_once('/') {
            Some((a, b)) => (a.parse::<IpAddr>().ok()?, Some(b.parse::<u8>().ok()?)),
            None => (text.parse::<IpAddr>().ok()?, None),
        };
        let max = if addr.is_ipv4() { 32 } else { 128 };
        let bits = bits.unwrap_or(max);
        (bits <= max).then_some(Cidr { addr, bits })
    }

    /// True if `ip` is in the range (IPv4-mapped IPv6 counts as IPv4).
    pub fn contains(&self, ip: IpAddr) -> bool {
        match (self.addr, ip.to_canonical()) {
            (IpAddr::V4(net), IpAddr::V4(ip)) => prefix_eq(&net.octets(), &ip.octets(), self.bits),
            (IpAddr::V6(net), IpAddr::V6(ip)) => prefix_eq(&net.octets(), &ip.octets(), self.bits),
            _ => false,
        }
    }
}

fn prefix_eq(a: &[u8], b: &[u8], bits: u8) -> bool {
    let (whole, rest) = ((bits / 8) as usize, bits % 8);
    if a[..whole] != b[..whole] {
        return false;
    }
    rest == 0 || {
        let mask = 0xffu8 << (8 - rest);
        a[whole] & mask == b[whole] & mask
    }
}

/// One rule.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Rule {
    pub connection: ConnectionType,
    /// Database names, or empty for all.
    pub databases: Vec<String>,
    /// User names, `+role` for members of a role, or empty for all.
    pub users: Vec<String>,
    /// Client addresses, or None for all.
    pub address: Option<Cidr>,
    pub method: Method,
}

/// A rule as written in `config/flintdb.toml`.
#[derive(Clone, Debug, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct RuleText {
    #[serde(rename = "type")]
    pub connection: String,
    pub database: String,
    pub user: String,
    pub address: String,
    pub method: String,
}

impl RuleText {
    /// Checks and reads the rule.
    pub fn parse(&self) -> Result<Rule, String> {
        let connection = match self.connection.as_str() {
            "host" => ConnectionType::Host,
            "hostssl" => ConnectionType::HostSsl,
            "hostnossl" => ConnectionType::HostNoSsl,
            other => {
                return Err(format!(
                    "hba type \"{other}\" is not one of host, hostssl, hostnossl"
                ))
            }
        };
        let method = match self.method.as_str() {
            "trust" => Method::Trust,
            "scram-sha-256" => Method::ScramSha256,
            "reject" => Method::Reject,
            other => {
                return Err(format!(
                    "hba method \"{other}\" is not one of trust, scram-sha-256, reject"
                ))
            }
        };
        let address = match self.address.as_str() {
            "all" => None,
            text => Some(
                Cidr::parse(text)
                    .ok_or_else(|| format!("hba address \"{text}\" is not an address or CIDR"))?,
            ),
        };
        Ok(Rule {
            connection,
            databases: names(&self.database),
            users: names(&self.user),
            address,
            method,
        })
    }
}

fn names(list: &str) -> Vec<String> {
    let names: Vec<String> = list.split(',').map(|s| s.trim().to_string()).collect();
    if names.iter().any(|n| n == "all") {
        Vec::new()
    } else {
        names
    }
}

/// The rules used when the config names none.
pub fn default_rules() -> Vec<Rule> {
    let rule = |connection, address: &str, method| Rule {
        connection,
        databases: Vec::new(),
        users: Vec::new(),
        address: Cidr::parse(address),
        method,
    };
    vec![
        rule(ConnectionType::Host, "127.0.0.0/8", Method::Trust),
        rule(ConnectionType::Host, "::1/128", Method::Trust),
        rule(ConnectionType::HostSsl, "0.0.0.0/0", Method::ScramSha256),
        rule(ConnectionType::HostSsl, "::/0", Method::ScramSha256),
    ]
}

/// What is known of a connection when its rule is chosen.
pub struct Request<'a> {
    pub database: &'a str,
    pub user: &'a str,
    pub address: IpAddr,
    pub tls: bool,
    /// Whether the user is a member of a role (for `+role`).
    pub member_of: &'a dyn Fn(&str) -> bool,
}

/// The first rule matching the request.
pub fn find<'r>(rules: &'r [Rule], request: &Request) -> Option<&'r Rule> {
    rules.iter().find(|rule| {
        let connection = match rule.connection {
            ConnectionType::Host => true,
            ConnectionType::HostSsl => request.tls,
            ConnectionType::HostNoSsl => !request.tls,
        };
        let database =
            rule.databases.is_empty() || rule.databases.iter().any(|d| d == request.database);
        let user = rule.users.is_empty()
            || rule.users.iter().any(|u| match u.strip_prefix('+') {
                Some(role) => (request.member_of)(role),
                None => u == request.user,
            });
        let address = rule.address.is_none_or(|a| a.contains(request.address));
        connection && database && user && address
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(address: &str, tls: bool) -> Request<'static> {
        Request {
            database: "postgres",
            user: "alice",
            address: address.parse().unwrap(),
            tls,
            member_of: &|role| role == "staff",
        }
    }

    #[test]
    fn cidr_matching() {
        let net = Cidr::parse("10.1.0.0/16").unwrap();
        assert!(net.contains("10.1.200.3".parse().unwrap()));
        assert!(!net.contains("10.2.0.1".parse().unwrap()));
        assert!(net.contains("::ffff:10.1.0.9".parse().unwrap()));
        let odd = Cidr::parse("192.168.1.128/25").unwrap();
        assert!(odd.contains("192.168.1.200".parse().unwrap()));
        assert!(!odd.contains("192.168.1.100".parse().unwrap()));
        assert!(Cidr::parse("::1").unwrap().contains("::1".parse().unwrap()));
        assert!(Cidr::parse("1.2.3.4/33").is_none());
        assert!(Cidr::parse("not-an-address").is_none());
    }

    #[test]
    fn defaults_trust_loopback_and_want_tls_elsewhere() {
        let rules = default_rules();
        let local = find(&rules, &request("127.0.0.1", false)).unwrap();
        assert_eq!(local.method, Method::Trust);
        assert!(find(&rules, &request("192.0.2.7", false)).is_none());
        let remote = find(&rules, &request("192.0.2.7", true)).unwrap();
        assert_eq!(remote.method, Method::ScramSha256);
        assert_eq!(
            find(&rules, &request("2001:db8::1", true)).unwrap().method,
            Method::ScramSha256
        );
    }

    #[test]
    fn first_match_wins_with_users_roles_and_databases() {
        let text = |connection: &str, database: &str, user: &str, method: &str| RuleText {
            connection: connection.into(),
            database: database.into(),
            user: user.into(),
            address: "all".into(),
            method: method.into(),
        };
        let rules: Vec<Rule> = [
            text("host", "other", "all", "reject"),
            text("hostnossl", "all", "bob, carol", "reject"),
            text("host", "all", "+staff", "scram-sha-256"),
            text("host", "all", "all", "trust"),
        ]
        .iter()
        .map(|r| r.parse().unwrap())
        .collect();
        let r = find(&rules, &request("10.0.0.1", false)).unwrap();
        assert_eq!(r.method, Method::ScramSha256);
        assert!(text("tcp", "all", "all", "trust").parse().is_err());
        assert!(text("host", "all", "all", "md5").parse().is_err());
    }
}
