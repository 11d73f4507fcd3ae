//! What a third-party app may see of an organisation, as WeCom's contacts
//! API decides it: departments in the visible range bring their
//! sub-departments; members named in the range (individually or through a
//! tag's user list) are visible without their departments. Written from
//! WeCom's documentation, independently of `domain::range`; used by the
//! contacts and license routes and by the control routes that push
//! callbacks only for what the app can see.

use crate::state::{Corp, User};
use std::collections::{HashMap, HashSet};

/// What the app may see of one organisation.
pub struct Visible {
    pub departments: HashSet<u64>,
    /// Members named in the range (individually or through a tag).
    pub named: HashSet<String>,
}

impl Visible {
    pub fn sees(&self, user: &User) -> bool {
        self.named.contains(&user.userid)
            || user.department.iter().any(|d| self.departments.contains(d))
    }
}

/// Cheap: departments and names only, never a pass over every member.
pub fn visible(corp: &Corp) -> Visible {
    let tags: Vec<_> = corp
        .tags
        .iter()
        .filter(|t| corp.range.tag.contains(&t.tagid))
        .collect();
    let mut children: HashMap<u64, Vec<u64>> = HashMap::new();
    for d in &corp.departments {
        children.entry(d.parentid).or_default().push(d.id);
    }
    let mut departments = HashSet::new();
    let mut stack: Vec<u64> = corp
        .range
        .party
        .iter()
        .chain(tags.iter().flat_map(|t| t.partylist.iter()))
        .copied()
        .filter(|id| corp.departments.iter().any(|d| d.id == *id))
        .collect();
    while let Some(id) = stack.pop() {
        if departments.insert(id) {
            stack.extend(children.get(&id).into_iter().flatten());
        }
    }
    let named = corp
        .range
        .user
        .iter()
        .cloned()
        .chain(tags.iter().flat_map(|t| t.userlist.iter().cloned()))
        .collect();
    Visible { departments, named }
}

/// The member's departments the app may see (none for individuals).
pub fn visible_departments(user: &User, v: &Visible) -> Vec<u64> {
    user.department
        .iter()
        .copied()
        .filter(|d| v.departments.contains(d))
        .collect()
}
