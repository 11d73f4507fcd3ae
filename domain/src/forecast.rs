//! "What if the range changed?": how many members the visible range would
//! hold and how many more seats it would need, from what the app has seen.
//! The range rule itself is `range::expand`; this only feeds it the change.

use crate::api::{Forecast, ForecastRequest};
use crate::range::{expand, subtree, Department, Member, TagMembers, Via, VisibleRange};
use std::collections::{BTreeSet, HashSet};

/// A member as we have stored it, in range or not (departed ones are left out).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KnownMember {
    pub userid: String,
    /// The departments we know (empty when WeCom gave none).
    pub department_ids: Vec<u64>,
    pub via: BTreeSet<Via>,
    pub in_range: bool,
    pub licensed: bool,
}

/// Stands for every allowed tag at once: tags are not part of the change.
const TAGS: u64 = u64::MAX;

pub fn forecast(
    current: &VisibleRange,
    change: &ForecastRequest,
    departments: &[Department],
    members: &[KnownMember],
    unassigned: u64,
) -> Forecast {
    let removed_parties: HashSet<u64> = change.remove_party.iter().copied().collect();
    let removed_users: HashSet<&str> = change.remove_user.iter().map(String::as_str).collect();
    let mut party: Vec<u64> = current.party.clone();
    party.extend(&change.add_party);
    party.retain(|p| !removed_parties.contains(p));
    party.sort_unstable();
    party.dedup();
    let mut user: Vec<String> = current.user.clone();
    user.extend(change.add_user.iter().cloned());
    user.retain(|u| !removed_users.contains(u.as_str()));
    user.sort();
    user.dedup();

    // Tags stay as they are: their members (and the departments that reach
    // members outside the allowed parties) come along unchanged.
    let covered_now = subtree(current.party.iter().copied(), departments);
    let tag = TagMembers {
        tag_id: TAGS,
        userids: members
            .iter()
            .filter(|m| m.in_range && m.via.contains(&Via::Tag))
            .map(|m| m.userid.clone())
            .collect(),
        party_ids: members
            .iter()
            .filter(|m| m.in_range && m.via.contains(&Via::Department))
            .flat_map(|m| m.department_ids.iter().copied())
            .filter(|d| !covered_now.contains(d))
            .collect(),
    };
    let range = VisibleRange {
        party,
        user,
        tag: vec![TAGS],
    };
    let as_members: Vec<Member> = members
        .iter()
        .map(|m| Member {
            userid: m.userid.clone(),
            name: String::new(),
            department_ids: m.department_ids.clone(),
        })
        .collect();
    let after = expand(&range, departments, &as_members, &[tag]);

    let known: HashSet<&str> = members.iter().map(|m| m.userid.as_str()).collect();
    let unseen_users: Vec<String> = change
        .add_user
        .iter()
        .filter(|u| !known.contains(u.as_str()) && !removed_users.contains(u.as_str()))
        .cloned()
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    let unseen_parties: Vec<u64> = change
        .add_party
        .iter()
        .copied()
        .filter(|p| !removed_parties.contains(p))
        // Outside what the app sees now (an unknown id is its own subtree).
        .filter(|p| !subtree([*p], departments).is_subset(&covered_now))
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();

    let members_now = members.iter().filter(|m| m.in_range).count() as u64;
    let members_after = after.len() as u64 + unseen_users.len() as u64;
    let joining = members
        .iter()
        .filter(|m| !m.in_range && after.contains_key(&m.userid))
        .count() as u64
        + unseen_users.len() as u64;
    let leaving_members = || {
        members
            .iter()
            .filter(|m| m.in_range && !after.contains_key(&m.userid))
    };
    let licensed_after = members
        .iter()
        .filter(|m| m.licensed && after.contains_key(&m.userid))
        .count() as u64;
    let unlicensed_after = members_after - licensed_after;
    Forecast {
        members_now,
        members_after,
        joining,
        leaving: leaving_members().count() as u64,
        licensed_after,
        unlicensed_after,
        unassigned,
        seats_needed: unlicensed_after.saturating_sub(unassigned),
        seats_freed: leaving_members().filter(|m| m.licensed).count() as u64,
        exact: unseen_parties.is_empty() && unseen_users.is_empty(),
        unseen_parties,
        unseen_users,
        weighed_all: true,
    }
}

/// The forecast of an organisation larger than
/// [`crate::api::FORECAST_WEIGHED`] members or departments, of which only
/// the first were read: not exact, and saying so.
pub fn weighed_part(forecast: Forecast) -> Forecast {
    Forecast {
        exact: false,
        weighed_all: false,
        ..forecast
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // 1 HQ ─ 2 R&D ─ 4 Frontend
    //      └ 3 Sales
    fn tree() -> Vec<Department> {
        [(1, 0), (2, 1), (3, 1), (4, 2)]
            .into_iter()
            .map(|(id, parent_id)| Department { id, parent_id })
            .collect()
    }

    fn member(
        userid: &str,
        depts: &[u64],
        via: &[Via],
        in_range: bool,
        licensed: bool,
    ) -> KnownMember {
        KnownMember {
            userid: userid.into(),
            department_ids: depts.to_vec(),
            via: via.iter().copied().collect(),
            in_range,
            licensed,
        }
    }

    /// Range: R&D (with Frontend) and sales1 as an individual.
    fn org() -> (VisibleRange, Vec<KnownMember>) {
        let range = VisibleRange {
            party: vec![2],
            user: vec!["sales1".into()],
            tag: vec![],
        };
        let members = vec![
            member("dev1", &[2], &[Via::Department], true, true),
            member("dev2", &[2], &[Via::Department], true, false),
            member("fe1", &[4], &[Via::Department], true, false),
            member("sales1", &[], &[Via::Individual], true, true),
            // Left the range earlier; we remember its department.
            member("sales2", &[3], &[], false, false),
        ];
        (range, members)
    }

    #[test]
    fn no_change_forecasts_the_range_as_it_is() {
        let (range, members) = org();
        let f = forecast(&range, &ForecastRequest::default(), &tree(), &members, 1);
        assert_eq!((f.members_now, f.members_after), (4, 4));
        assert_eq!((f.joining, f.leaving), (0, 0));
        assert_eq!(f.licensed_after, 2);
        assert_eq!(f.seats_needed, 1, "two unlicensed, one free account");
        assert!(f.exact);
        assert!(f.weighed_all);
    }

    #[test]
    fn a_forecast_of_part_of_the_organisation_is_not_exact_and_says_so() {
        let (range, members) = org();
        let whole = forecast(&range, &ForecastRequest::default(), &tree(), &members, 1);
        let part = weighed_part(whole.clone());
        assert!(!part.exact && !part.weighed_all);
        assert_eq!(
            (part.members_now, part.seats_needed),
            (whole.members_now, whole.seats_needed),
            "the counts of what was weighed stay"
        );
    }

    #[test]
    fn removing_a_department_frees_its_holders_seats() {
        let (range, members) = org();
        let change = ForecastRequest {
            remove_party: vec![2],
            ..Default::default()
        };
        let f = forecast(&range, &change, &tree(), &members, 0);
        assert_eq!(f.members_after, 1, "only sales1 stays");
        assert_eq!(f.leaving, 3);
        assert_eq!(f.seats_freed, 1, "dev1's seat can move at once");
        assert_eq!(f.seats_needed, 0);
    }

    #[test]
    fn adding_people_counts_the_seats_to_buy() {
        let (range, members) = org();
        let change = ForecastRequest {
            add_user: vec!["sales2".into(), "newcomer".into()],
            ..Default::default()
        };
        let f = forecast(&range, &change, &tree(), &members, 1);
        assert_eq!(f.members_after, 6);
        assert_eq!(f.joining, 2);
        assert_eq!(f.unlicensed_after, 4);
        assert_eq!(f.seats_needed, 3);
        assert_eq!(f.unseen_users, vec!["newcomer".to_string()]);
        assert!(!f.exact);
    }

    #[test]
    fn a_department_outside_the_range_is_counted_as_far_as_seen() {
        let (range, members) = org();
        let change = ForecastRequest {
            add_party: vec![3, 99],
            ..Default::default()
        };
        let f = forecast(&range, &change, &tree(), &members, 0);
        assert_eq!(f.members_after, 5, "sales2 comes back through Sales");
        assert_eq!(f.unseen_parties, vec![3, 99]);
        // Adding a department already covered is exact.
        let inside = ForecastRequest {
            add_party: vec![4],
            ..Default::default()
        };
        assert!(forecast(&range, &inside, &tree(), &members, 0).exact);
    }

    #[test]
    fn removing_an_individual_who_is_also_in_a_department_keeps_them() {
        let (mut range, mut members) = org();
        range.user.push("dev1".into());
        members[0].via.insert(Via::Individual);
        let change = ForecastRequest {
            remove_user: vec!["dev1".into()],
            ..Default::default()
        };
        let f = forecast(&range, &change, &tree(), &members, 0);
        assert_eq!(f.members_after, 4);
        assert_eq!(f.leaving, 0);
    }

    #[test]
    fn tagged_members_stay_whatever_the_parties_do() {
        let (range, mut members) = org();
        members.push(member("tagged", &[], &[Via::Tag], true, false));
        // Reached through a tag's department (Sales is not an allowed party).
        members[4] = member("sales2", &[3], &[Via::Department], true, false);
        let change = ForecastRequest {
            remove_party: vec![2],
            ..Default::default()
        };
        let f = forecast(&range, &change, &tree(), &members, 0);
        assert_eq!(f.members_after, 3, "sales1, tagged and sales2 stay");
    }
}
