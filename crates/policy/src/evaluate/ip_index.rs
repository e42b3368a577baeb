//! Which IP named locations contain an address, without scanning every range: ranges are
//! bucketed by prefix length, so a lookup masks the address once per distinct prefix
//! length and probes a hash table. Entra allows 195 locations of 2,000 ranges each.

use std::net::IpAddr;

use ipnet::IpNet;

use super::symbols::FastMap;

/// Ranges by prefix length, each mapping a network address to the locations holding it.
#[derive(Debug, Clone, Default)]
pub(crate) struct IpIndex {
    v4: Vec<(u8, FastMap<u32, Vec<usize>>)>,
    v6: Vec<(u8, FastMap<u128, Vec<usize>>)>,
}

fn mask_v4(address: u32, prefix: u8) -> u32 {
    match prefix {
        0 => 0,
        32.. => address,
        _ => address & (u32::MAX << (32 - u32::from(prefix))),
    }
}

fn mask_v6(address: u128, prefix: u8) -> u128 {
    match prefix {
        0 => 0,
        128.. => address,
        _ => address & (u128::MAX << (128 - u32::from(prefix))),
    }
}

impl IpIndex {
    /// Adds `network` as part of location `location`.
    pub(crate) fn insert(&mut self, network: IpNet, location: usize) {
        let prefix = network.prefix_len();
        match network {
            IpNet::V4(net) => {
                let key = mask_v4(u32::from(net.network()), prefix);
                bucket(&mut self.v4, prefix)
                    .entry(key)
                    .or_default()
                    .push(location);
            }
            IpNet::V6(net) => {
                let key = mask_v6(u128::from(net.network()), prefix);
                bucket(&mut self.v6, prefix)
                    .entry(key)
                    .or_default()
                    .push(location);
            }
        }
    }

    /// Calls `found` with every location holding `address`.
    pub(crate) fn for_each_match(&self, address: IpAddr, mut found: impl FnMut(usize)) {
        match address {
            IpAddr::V4(v4) => {
                let address = u32::from(v4);
                for (prefix, table) in &self.v4 {
                    if let Some(locations) = table.get(&mask_v4(address, *prefix)) {
                        locations.iter().for_each(|location| found(*location));
                    }
                }
            }
            IpAddr::V6(v6) => {
                // An IPv4-mapped IPv6 address is the IPv4 address (dual-stack sockets
                // report clients that way).
                if let Some(v4) = v6.to_ipv4_mapped() {
                    return self.for_each_match(IpAddr::V4(v4), found);
                }
                let address = u128::from(v6);
                for (prefix, table) in &self.v6 {
                    if let Some(locations) = table.get(&mask_v6(address, *prefix)) {
                        locations.iter().for_each(|location| found(*location));
                    }
                }
            }
        }
    }
}

fn bucket<K>(
    buckets: &mut Vec<(u8, FastMap<K, Vec<usize>>)>,
    prefix: u8,
) -> &mut FastMap<K, Vec<usize>> {
    let index = match buckets.iter().position(|(length, _)| *length == prefix) {
        Some(index) => index,
        None => {
            buckets.push((prefix, FastMap::default()));
            buckets.len() - 1
        }
    };
    &mut buckets[index].1
}
