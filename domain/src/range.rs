//! The visible range (可见范围) → the members who may use the app.
//!
//! WeCom's rule (DESIGN §2): departments in range bring all their members,
//! sub-departments included; members named individually (or only through a
//! tag's user list) come **without department information**, because WeCom
//! does not give a third-party app departments outside its range.

use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct VisibleRange {
    pub party: Vec<u64>,
    pub user: Vec<String>,
    pub tag: Vec<u64>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Department {
    pub id: u64,
    pub parent_id: u64,
}

/// A member as WeCom describes it, with every department it belongs to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Member {
    pub userid: String,
    pub name: String,
    pub department_ids: Vec<u64>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TagMembers {
    pub tag_id: u64,
    pub userids: Vec<String>,
    pub party_ids: Vec<u64>,
}

/// How a member got into the range.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[serde(rename_all = "lowercase")]
pub enum Via {
    Department,
    Individual,
    Tag,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InRange {
    pub userid: String,
    pub name: String,
    /// `None` when WeCom gives no department information for this member.
    pub department_ids: Option<Vec<u64>>,
    pub via: BTreeSet<Via>,
}

impl InRange {
    pub fn department_known(&self) -> bool {
        self.via.contains(&Via::Department)
    }
}

/// Every department id under the given roots, roots included.
pub fn subtree(roots: impl IntoIterator<Item = u64>, departments: &[Department]) -> HashSet<u64> {
    let mut children: HashMap<u64, Vec<u64>> = HashMap::new();
    for d in departments {
        children.entry(d.parent_id).or_default().push(d.id);
    }
    let mut covered = HashSet::new();
    let mut stack: Vec<u64> = roots.into_iter().collect();
    while let Some(id) = stack.pop() {
        if covered.insert(id) {
            if let Some(kids) = children.get(&id) {
                stack.extend(kids);
            }
        }
    }
    covered
}

/// The in-range members, each with how it got in.
pub fn expand(
    range: &VisibleRange,
    departments: &[Department],
    members: &[Member],
    tags: &[TagMembers],
) -> BTreeMap<String, InRange> {
    let allowed_tags: HashSet<u64> = range.tag.iter().copied().collect();
    let tags: Vec<&TagMembers> = tags
        .iter()
        .filter(|t| allowed_tags.contains(&t.tag_id))
        .collect();
    let roots = range
        .party
        .iter()
        .copied()
        .chain(tags.iter().flat_map(|t| t.party_ids.iter().copied()));
    let covered = subtree(roots, departments);
    let individuals: HashSet<&str> = range.user.iter().map(String::as_str).collect();
    let tagged: HashSet<&str> = tags
        .iter()
        .flat_map(|t| t.userids.iter().map(String::as_str))
        .collect();

    let mut out = BTreeMap::new();
    for m in members {
        let mut via = BTreeSet::new();
        let mut in_covered: Vec<u64> = m
            .department_ids
            .iter()
            .copied()
            .filter(|d| covered.contains(d))
            .collect();
        if !in_covered.is_empty() {
            via.insert(Via::Department);
        }
        if individuals.contains(m.userid.as_str()) {
            via.insert(Via::Individual);
        }
        if tagged.contains(m.userid.as_str()) {
            via.insert(Via::Tag);
        }
        if via.is_empty() {
            continue;
        }
        in_covered.sort_unstable();
        in_covered.dedup();
        let known = via.contains(&Via::Department);
        out.insert(
            m.userid.clone(),
            InRange {
                userid: m.userid.clone(),
                name: m.name.clone(),
                department_ids: known.then_some(in_covered),
                via,
            },
        );
    }
    out
}

/// Member status as we mirror it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Active,
    Departed,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Active => "active",
            Status::Departed => "departed",
        }
    }
}

/// A stored member row (what D1 holds).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MemberRecord {
    pub userid: String,
    pub name: String,
    pub department_ids: Option<Vec<u64>>,
    pub in_range: bool,
    pub via: BTreeSet<Via>,
    pub status: Status,
}

impl MemberRecord {
    pub fn department_known(&self) -> bool {
        self.department_ids.is_some()
    }

    pub fn from_in_range(m: &InRange) -> Self {
        MemberRecord {
            userid: m.userid.clone(),
            name: m.name.clone(),
            department_ids: m.department_ids.clone(),
            in_range: true,
            via: m.via.clone(),
            status: Status::Active,
        }
    }
}

/// The writes that turn the stored rows into the new snapshot.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MemberDiff {
    /// New members, and members whose name, departments, route into the
    /// range, range or status changed.
    pub upserts: Vec<MemberRecord>,
    /// Stored as in range but no longer in it (kept for seat history).
    pub left_range: Vec<String>,
}

impl MemberDiff {
    pub fn is_empty(&self) -> bool {
        self.upserts.is_empty() && self.left_range.is_empty()
    }
}

pub fn diff(stored: &[MemberRecord], snapshot: &BTreeMap<String, InRange>) -> MemberDiff {
    let by_id: HashMap<&str, &MemberRecord> =
        stored.iter().map(|m| (m.userid.as_str(), m)).collect();
    let mut out = MemberDiff::default();
    for m in snapshot.values() {
        let wanted = MemberRecord::from_in_range(m);
        if by_id.get(m.userid.as_str()) != Some(&&wanted) {
            out.upserts.push(wanted);
        }
    }
    for m in stored {
        if m.in_range && !snapshot.contains_key(&m.userid) {
            out.left_range.push(m.userid.clone());
        }
    }
    out
}

/// A set of member rows in 16 bytes: how many, and the wrapping sum of each
/// row's 64-bit fingerprint. The contacts check ([`MemberRecord`]s as WeCom
/// has them, summed step by step in its queue messages) compares it with
/// the stored rows' tally: equal tallies of different sets need two sums of
/// mixed 64-bit hashes to meet, about one chance in 2^64.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tally {
    pub count: u64,
    pub sum: u64,
}

impl Tally {
    pub fn add(&mut self, m: &MemberRecord) {
        self.count += 1;
        self.sum = self.sum.wrapping_add(m.fingerprint());
    }

    pub fn merge(&mut self, other: Tally) {
        self.count += other.count;
        self.sum = self.sum.wrapping_add(other.sum);
    }
}

impl MemberRecord {
    /// Every field the sync compares (`diff`), hashed in one canonical
    /// order (FNV-1a, then SplitMix64's finaliser to spread it): the same
    /// row gives the same number in every build and invocation.
    pub fn fingerprint(&self) -> u64 {
        let mut h: u64 = 0xcbf2_9ce4_8422_2325;
        let mut feed = |bytes: &[u8]| {
            for b in bytes.iter().chain(std::iter::once(&0x1f)) {
                h = (h ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3);
            }
        };
        feed(self.userid.as_bytes());
        feed(self.name.as_bytes());
        match &self.department_ids {
            None => feed(b"-"),
            Some(ids) => {
                let mut ids = ids.clone();
                ids.sort_unstable();
                ids.dedup();
                let text: Vec<String> = ids.iter().map(u64::to_string).collect();
                feed(text.join(",").as_bytes());
            }
        }
        for v in &self.via {
            feed(&[*v as u8]);
        }
        feed(&[u8::from(self.in_range), self.status as u8]);
        let mut z = h.wrapping_add(0x9e37_79b9_7f4a_7c15);
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
}

/// Advice shown beside members without department information.
pub const NO_DEPARTMENT_ADVICE_EN: &str = "WeCom gives an app no department information for members who are in its visible range only as individuals (or through a tag's member list). To see their departments, add their whole departments to the app's visible range in the WeCom admin console.";
pub const NO_DEPARTMENT_ADVICE_ZH: &str = "成员仅以个人（或标签成员）身份在应用可见范围内时，企业微信不提供其部门信息。如需显示部门，请在企业微信管理后台把其所在部门整体加入应用可见范围。";

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn record(userid: &str, name: &str, departments: Option<Vec<u64>>) -> MemberRecord {
        MemberRecord {
            userid: userid.into(),
            name: name.into(),
            department_ids: departments,
            in_range: true,
            via: BTreeSet::from([Via::Department]),
            status: Status::Active,
        }
    }

    #[test]
    fn a_tally_tells_a_changed_member_and_ignores_the_order_rows_come_in() {
        let rows = [
            record("ann", "Ann", Some(vec![2, 1])),
            record("bob", "Bob", Some(vec![3])),
        ];
        let (mut a, mut b) = (Tally::default(), Tally::default());
        a.add(&rows[0]);
        a.add(&rows[1]);
        b.add(&rows[1]);
        b.add(&record("ann", "Ann", Some(vec![1, 2])));
        assert_eq!(a, b, "same rows, other order");
        let changes = [
            record("ann", "Anne", Some(vec![1, 2])),
            record("ann", "Ann", Some(vec![1])),
            record("ann", "Ann", None),
            MemberRecord {
                in_range: false,
                ..rows[0].clone()
            },
            MemberRecord {
                status: Status::Departed,
                ..rows[0].clone()
            },
            MemberRecord {
                via: BTreeSet::from([Via::Department, Via::Tag]),
                ..rows[0].clone()
            },
        ];
        for changed in changes {
            let mut c = Tally::default();
            c.add(&changed);
            c.add(&rows[1]);
            assert_ne!(a, c, "{changed:?} looks unchanged");
        }
        let mut parts = Tally::default();
        let mut one = Tally::default();
        one.add(&rows[1]);
        parts.add(&rows[0]);
        parts.merge(one);
        assert_eq!(parts, a, "tallies of steps add up");
        // A name that moves a character into the next field is another row.
        assert_ne!(
            record("ab", "c", None).fingerprint(),
            record("a", "bc", None).fingerprint()
        );
    }

    fn tree() -> Vec<Department> {
        // 1 ─┬─ 2 ── 5
        //    ├─ 3
        //    └─ 4
        vec![
            Department {
                id: 1,
                parent_id: 0,
            },
            Department {
                id: 2,
                parent_id: 1,
            },
            Department {
                id: 3,
                parent_id: 1,
            },
            Department {
                id: 4,
                parent_id: 1,
            },
            Department {
                id: 5,
                parent_id: 2,
            },
        ]
    }

    fn member(userid: &str, depts: &[u64]) -> Member {
        Member {
            userid: userid.into(),
            name: userid.to_uppercase(),
            department_ids: depts.to_vec(),
        }
    }

    /// Each department of `tree()` with everything under it, written out
    /// (not computed by the code under test).
    fn under(root: u64) -> &'static [u64] {
        match root {
            1 => &[1, 2, 3, 4, 5],
            2 => &[2, 5],
            3 => &[3],
            4 => &[4],
            5 => &[5],
            _ => &[],
        }
    }

    fn people() -> Vec<Member> {
        vec![
            member("boss", &[1]),
            member("dev", &[2]),
            member("fe", &[5]),
            member("mkt", &[3]),
            member("sales", &[4]),
            member("both", &[3, 4]),
        ]
    }

    fn range(party: &[u64], user: &[&str], tag: &[u64]) -> VisibleRange {
        VisibleRange {
            party: party.to_vec(),
            user: user.iter().map(|s| s.to_string()).collect(),
            tag: tag.to_vec(),
        }
    }

    #[test]
    fn department_in_range_brings_its_sub_departments() {
        let r = expand(&range(&[2], &[], &[]), &tree(), &people(), &[]);
        assert_eq!(r.keys().collect::<Vec<_>>(), vec!["dev", "fe"]);
        assert_eq!(r["fe"].department_ids, Some(vec![5]));
        assert!(r["fe"].department_known());
    }

    #[test]
    fn individuals_in_range_carry_no_department_information() {
        let r = expand(&range(&[], &["sales"], &[]), &tree(), &people(), &[]);
        let sales = &r["sales"];
        assert_eq!(sales.department_ids, None);
        assert!(!sales.department_known());
        assert_eq!(sales.via, BTreeSet::from([Via::Individual]));
    }

    #[test]
    fn a_member_reachable_through_a_department_keeps_it_even_if_also_named() {
        let r = expand(&range(&[3], &["both"], &[]), &tree(), &people(), &[]);
        assert_eq!(
            r["both"].department_ids,
            Some(vec![3]),
            "only in-range departments are shown"
        );
        assert_eq!(
            r["both"].via,
            BTreeSet::from([Via::Department, Via::Individual])
        );
    }

    #[test]
    fn tags_bring_their_users_without_departments_and_their_parties_with() {
        let tags = [TagMembers {
            tag_id: 9,
            userids: vec!["boss".into()],
            party_ids: vec![4],
        }];
        let r = expand(&range(&[], &[], &[9]), &tree(), &people(), &tags);
        assert_eq!(r["boss"].via, BTreeSet::from([Via::Tag]));
        assert_eq!(r["boss"].department_ids, None);
        assert_eq!(r["sales"].department_ids, Some(vec![4]));
        // A tag not in the range brings nobody.
        assert!(expand(&range(&[], &[], &[8]), &tree(), &people(), &tags).is_empty());
    }

    #[test]
    fn unknown_departments_and_users_in_the_range_are_harmless() {
        let r = expand(&range(&[99], &["ghost"], &[77]), &tree(), &people(), &[]);
        assert!(r.is_empty());
    }

    #[test]
    fn diff_writes_only_what_changed() {
        let before = expand(&range(&[2], &["sales"], &[]), &tree(), &people(), &[]);
        let stored: Vec<MemberRecord> = before.values().map(MemberRecord::from_in_range).collect();
        assert!(diff(&stored, &before).is_empty(), "no change, no writes");

        let after = expand(&range(&[2, 4], &[], &[]), &tree(), &people(), &[]);
        let d = diff(&stored, &after);
        let upserted: Vec<&str> = d.upserts.iter().map(|m| m.userid.as_str()).collect();
        // sales now comes through its department (departments known), both is new.
        assert_eq!(upserted, vec!["both", "sales"]);
        assert!(d.left_range.is_empty());
        assert!(!d.is_empty(), "upserts alone are writes");

        let narrowed = expand(&range(&[5], &[], &[]), &tree(), &people(), &[]);
        let d = diff(&stored, &narrowed);
        assert_eq!(d.left_range, vec!["dev".to_string(), "sales".to_string()]);
        assert!(d.upserts.is_empty(), "fe is unchanged");
        assert!(!d.is_empty(), "members leaving the range alone are writes");
    }

    #[test]
    fn a_stored_status_is_spelled_as_the_api_and_the_counts_spell_it() {
        // D1 holds `as_str`; the range card counts `status = 'active'` and a
        // row reads back as departed by `'departed'`; the API answers serde's.
        for (status, word) in [(Status::Active, "active"), (Status::Departed, "departed")] {
            assert_eq!(status.as_str(), word);
            assert_eq!(serde_json::to_value(status).unwrap(), word);
        }
    }

    #[test]
    fn a_stored_member_has_departments_only_when_reached_through_one() {
        // What the console's "members without department" filter reads.
        let r = expand(&range(&[2], &["sales"], &[]), &tree(), &people(), &[]);
        let dev = MemberRecord::from_in_range(&r["dev"]);
        let sales = MemberRecord::from_in_range(&r["sales"]);
        assert!(dev.department_known());
        assert!(!sales.department_known());
    }

    #[test]
    fn a_member_coming_back_into_range_is_upserted() {
        let snapshot = expand(&range(&[2], &[], &[]), &tree(), &people(), &[]);
        let mut stored: Vec<MemberRecord> =
            snapshot.values().map(MemberRecord::from_in_range).collect();
        stored[0].in_range = false;
        assert_eq!(diff(&stored, &snapshot).upserts.len(), 1);
    }

    fn arb_range() -> impl Strategy<Value = VisibleRange> {
        (
            proptest::collection::vec(1u64..=5, 0..4),
            proptest::collection::vec(
                proptest::sample::select(vec!["boss", "dev", "fe", "mkt", "sales", "both"]),
                0..3,
            ),
        )
            .prop_map(|(party, user)| VisibleRange {
                party,
                user: user.into_iter().map(String::from).collect(),
                tag: vec![],
            })
    }

    proptest! {
        #[test]
        fn adding_a_department_never_removes_a_member(r in arb_range(), extra in 1u64..=5) {
            let before = expand(&r, &tree(), &people(), &[]);
            let mut wider = r.clone();
            wider.party.push(extra);
            let after = expand(&wider, &tree(), &people(), &[]);
            for userid in before.keys() {
                prop_assert!(after.contains_key(userid), "{userid} vanished");
            }
        }

        #[test]
        fn removing_the_last_path_removes_the_member(r in arb_range()) {
            let all = expand(&r, &tree(), &people(), &[]);
            for (userid, m) in &all {
                // Take away every route this member had.
                let mut narrower = r.clone();
                narrower.user.retain(|u| u != userid);
                let person = people().into_iter().find(|p| &p.userid == userid).unwrap();
                let reaching: HashSet<u64> = narrower
                    .party
                    .iter()
                    .copied()
                    .filter(|root| under(*root).iter().any(|d| person.department_ids.contains(d)))
                    .collect();
                narrower.party.retain(|p| !reaching.contains(p));
                let after = expand(&narrower, &tree(), &people(), &[]);
                prop_assert!(!after.contains_key(userid), "{userid} via {:?} stayed", m.via);
            }
        }

        #[test]
        fn department_known_exactly_when_reached_through_a_department(r in arb_range()) {
            for m in expand(&r, &tree(), &people(), &[]).values() {
                prop_assert_eq!(m.department_ids.is_some(), m.via.contains(&Via::Department));
            }
        }
    }
}
