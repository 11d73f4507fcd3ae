//! WeCom's contacts API (the organisation's corp token): departments,
//! members and tags, as far as the app's visible range lets it see.

use super::client::{WeCom, WeComError};
use domain::wecom::{Department, DepartmentList, Tag, User, UserList};

/// `user/get` outcomes the sync tells apart.
pub enum UserLookup {
    Found(User),
    /// 60111: no such member any more (deleted: departed).
    NotFound,
    /// 60011: exists, but outside the app's visible range.
    OutOfRange,
}

impl WeCom<'_> {
    pub async fn department_list(
        &self,
        corp_id: &str,
        code: &str,
    ) -> Result<Vec<Department>, WeComError> {
        let list: DepartmentList = self
            .corp_call(corp_id, code, "/cgi-bin/department/list", &[])
            .await?;
        Ok(list.department)
    }

    /// Direct members of one department.
    pub async fn user_list(
        &self,
        corp_id: &str,
        code: &str,
        department_id: u64,
    ) -> Result<Vec<User>, WeComError> {
        let id = department_id.to_string();
        let query = [("department_id", id.as_str())];
        let list: UserList = self
            .corp_call(corp_id, code, "/cgi-bin/user/list", &query)
            .await?;
        Ok(list.userlist)
    }

    pub async fn user_get(
        &self,
        corp_id: &str,
        code: &str,
        userid: &str,
    ) -> Result<UserLookup, WeComError> {
        match self
            .corp_call(corp_id, code, "/cgi-bin/user/get", &[("userid", userid)])
            .await
        {
            Ok(user) => Ok(UserLookup::Found(user)),
            Err(WeComError::Api { errcode: 60111, .. }) => Ok(UserLookup::NotFound),
            Err(WeComError::Api { errcode: 60011, .. }) => Ok(UserLookup::OutOfRange),
            Err(e) => Err(e),
        }
    }

    pub async fn tag_get(&self, corp_id: &str, code: &str, tag_id: u64) -> Result<Tag, WeComError> {
        let id = tag_id.to_string();
        self.corp_call(corp_id, code, "/cgi-bin/tag/get", &[("tagid", id.as_str())])
            .await
    }
}
