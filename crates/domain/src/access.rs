//! Who may do what. Pure functions over the viewer's roles, so the same
//! rule guards pages, the API and the store's scoped queries.

use crate::{Role, RoleAssignment};

/// The person looking, with every role they hold; `None` person is a visitor.
#[derive(Debug, Clone, Default)]
pub struct Viewer {
    pub person_id: Option<i64>,
    pub is_instance_admin: bool,
    pub roles: Vec<RoleAssignment>,
}

impl Viewer {
    pub fn visitor() -> Self {
        Self::default()
    }

    pub fn is_signed_in(&self) -> bool {
        self.person_id.is_some()
    }

    pub fn has_role(&self, partnership_id: i64, role: Role) -> bool {
        self.roles
            .iter()
            .any(|r| r.partnership_id == partnership_id && r.role == role)
    }

    /// Administrators run a partnership: people, roles, settings.
    pub fn can_administer(&self, partnership_id: i64) -> bool {
        self.is_instance_admin || self.has_role(partnership_id, Role::Administrator)
    }

    /// Coordinators and administrators manage a partnership's programmes.
    pub fn can_coordinate(&self, partnership_id: i64) -> bool {
        self.can_administer(partnership_id) || self.has_role(partnership_id, Role::Coordinator)
    }

    /// Whether any admin screen is open to this viewer at all.
    pub fn can_open_admin(&self) -> bool {
        self.is_instance_admin || self.roles.iter().any(|r| r.role == Role::Administrator)
    }

    /// An organisation's page may be edited by the instance admin, by those
    /// who coordinate a partnership the organisation belongs to, and by
    /// municipal staff bound to that very organisation — never another's.
    pub fn can_edit_organisation(&self, organisation_id: i64, its_partnerships: &[i64]) -> bool {
        self.is_instance_admin
            || its_partnerships.iter().any(|p| self.can_coordinate(*p))
            || self.roles.iter().any(|r| {
                r.role == Role::MunicipalStaff && r.organisation_id == Some(organisation_id)
            })
    }
}

impl Viewer {
    /// Events of a partnership are organised by its coordinators, and by
    /// municipal staff for their own organisation (a municipality's own
    /// dialogue sessions and tours) — never in another's name.
    pub fn can_organise_event(&self, partnership_id: i64, organiser_id: i64) -> bool {
        self.can_coordinate(partnership_id)
            || self.roles.iter().any(|r| {
                r.partnership_id == partnership_id
                    && r.role == Role::MunicipalStaff
                    && r.organisation_id == Some(organiser_id)
            })
    }

    /// Whether the viewer may organise any event of the partnership (to
    /// show the "new event" button).
    pub fn can_organise_events_in(&self, partnership_id: i64) -> bool {
        self.can_coordinate(partnership_id)
            || self
                .roles
                .iter()
                .any(|r| r.partnership_id == partnership_id && r.role == Role::MunicipalStaff)
    }
}

/// The challenge board: municipal staff speak for their own organisation;
/// coordinators for any municipality of their partnership.
impl Viewer {
    /// The organisations the viewer is municipal staff of in the partnership.
    pub fn staff_organisations(&self, partnership_id: i64) -> Vec<i64> {
        self.roles
            .iter()
            .filter(|r| r.partnership_id == partnership_id && r.role == Role::MunicipalStaff)
            .filter_map(|r| r.organisation_id)
            .collect()
    }

    /// Who the viewer is to a challenge of `owner` (an organisation): a
    /// coordinator of its partnership, its own staff, or neither.
    pub fn challenge_mover(
        &self,
        partnership_id: i64,
        owner: i64,
    ) -> Option<crate::challenge::Mover> {
        use crate::challenge::Mover;
        if self.can_coordinate(partnership_id) {
            Some(Mover::Coordinator)
        } else if self.staff_organisations(partnership_id).contains(&owner) {
            Some(Mover::Owner)
        } else {
            None
        }
    }

    /// Posting a challenge for `organisation_id`: its staff, or a
    /// coordinator on its behalf.
    pub fn can_post_challenge(&self, partnership_id: i64, organisation_id: i64) -> bool {
        self.challenge_mover(partnership_id, organisation_id)
            .is_some()
    }

    /// Whether the viewer may post any challenge in the partnership.
    pub fn can_post_challenges_in(&self, partnership_id: i64) -> bool {
        self.can_coordinate(partnership_id) || !self.staff_organisations(partnership_id).is_empty()
    }

    /// Questions and answers on challenges are between municipal staff and
    /// coordinators of the partnership.
    pub fn can_discuss_challenges(&self, partnership_id: i64) -> bool {
        self.can_post_challenges_in(partnership_id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn municipal_staff_organise_events_only_for_their_own_organisation() {
        let staff = viewer(vec![RoleAssignment {
            partnership_id: 1,
            role: Role::MunicipalStaff,
            organisation_id: Some(7),
        }]);
        assert!(staff.can_organise_event(1, 7));
        assert!(!staff.can_organise_event(1, 8), "another municipality");
        assert!(!staff.can_organise_event(2, 7), "another partnership");
        assert!(staff.can_organise_events_in(1));
        let coordinator = viewer(vec![RoleAssignment {
            partnership_id: 1,
            role: Role::Coordinator,
            organisation_id: None,
        }]);
        assert!(coordinator.can_organise_event(1, 8));
        assert!(!viewer(vec![]).can_organise_events_in(1));
    }

    fn viewer(roles: Vec<RoleAssignment>) -> Viewer {
        Viewer {
            person_id: Some(1),
            is_instance_admin: false,
            roles,
        }
    }

    #[test]
    fn staff_move_only_their_own_municipalitys_challenges() {
        use crate::challenge::Mover;
        let staff = viewer(vec![
            RoleAssignment::new(1, Role::MunicipalStaff, Some(10)).unwrap(),
        ]);
        assert_eq!(staff.challenge_mover(1, 10), Some(Mover::Owner));
        assert_eq!(staff.challenge_mover(1, 11), None, "another municipality");
        assert_eq!(staff.challenge_mover(2, 10), None, "another partnership");
        assert!(staff.can_post_challenge(1, 10) && !staff.can_post_challenge(1, 11));
        let coord = viewer(vec![
            RoleAssignment::new(1, Role::Coordinator, None).unwrap(),
        ]);
        assert_eq!(coord.challenge_mover(1, 11), Some(Mover::Coordinator));
        let member = viewer(vec![RoleAssignment::new(1, Role::Member, None).unwrap()]);
        assert!(!member.can_discuss_challenges(1) && !member.can_post_challenges_in(1));
    }

    #[test]
    fn municipal_staff_edit_only_their_own_organisation() {
        let staff = viewer(vec![
            RoleAssignment::new(1, Role::MunicipalStaff, Some(10)).unwrap(),
        ]);
        assert!(staff.can_edit_organisation(10, &[1]));
        assert!(!staff.can_edit_organisation(11, &[1]));
    }

    #[test]
    fn coordinators_edit_organisations_of_their_partnership_only() {
        let coord = viewer(vec![
            RoleAssignment::new(1, Role::Coordinator, None).unwrap(),
        ]);
        assert!(coord.can_edit_organisation(11, &[1, 2]));
        assert!(!coord.can_edit_organisation(11, &[2]));
    }

    #[test]
    fn members_and_visitors_cannot_administer() {
        let member = viewer(vec![RoleAssignment::new(1, Role::Member, None).unwrap()]);
        assert!(!member.can_open_admin());
        assert!(!member.can_administer(1));
        assert!(!Viewer::visitor().can_open_admin());
    }
}
