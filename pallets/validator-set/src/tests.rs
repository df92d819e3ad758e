//! Unit tests: every call's success and each of its errors, the wrong origin, and when a
//! change reaches the session pallet.

use crate::{mock::*, *};
use frame_support::{assert_noop, assert_ok, traits::Hooks};
use polkadot_sdk::pallet_session;
use sp_runtime::{testing::UintAuthorityId, BuildStorage, DispatchError};

fn events() -> Vec<Event<Test>> {
	System::events()
		.into_iter()
		.filter_map(|record| match record.event {
			RuntimeEvent::ValidatorSet(event) => Some(event),
			_ => None,
		})
		.collect()
}

fn root() -> RuntimeOrigin {
	RuntimeOrigin::root()
}

#[test]
fn genesis_takes_the_validators_from_the_session_keys() {
	build_and_execute(|| {
		assert_eq!(Validators::<Test>::get().into_inner(), GENESIS.to_vec());
		assert_eq!(session_validators(), GENESIS.to_vec());
		assert!(!SetChanged::<Test>::get());
		assert_eq!(ValidatorSet::session_length(), SESSION_LENGTH);
		assert_eq!(ValidatorSet::validators(), GENESIS.to_vec());
	});
}

#[test]
fn an_added_validator_validates_from_the_session_after_the_next_change() {
	build_and_execute(|| {
		assert_ok!(ValidatorSet::add_validator(root(), 4));
		assert_eq!(events(), vec![Event::ValidatorAdded { who: 4 }]);
		assert!(SetChanged::<Test>::get());
		assert_eq!(ValidatorSet::validators(), vec![1, 2, 3, 4]);
		// Session 1 starts at block 5 with the old set; the new one is queued for session 2.
		run_to_block(SESSION_LENGTH);
		assert_eq!(pallet_session::CurrentIndex::<Test>::get(), 1);
		assert_eq!(session_validators(), GENESIS.to_vec());
		assert!(events().contains(&Event::NewSetQueued { session: 2, validators: 4 }));
		assert!(!SetChanged::<Test>::get());
		run_to_block(2 * SESSION_LENGTH - 1);
		assert_eq!(session_validators(), GENESIS.to_vec());
		run_to_block(2 * SESSION_LENGTH);
		assert_eq!(pallet_session::CurrentIndex::<Test>::get(), 2);
		assert_eq!(session_validators(), vec![1, 2, 3, 4]);
	});
}

#[test]
fn the_key_workflow_set_keys_then_add() {
	build_and_execute(|| {
		assert_noop!(ValidatorSet::add_validator(root(), NO_KEYS), Error::<Test>::NoSessionKeys);
		// The account registers its keys (the session pallet holds the key deposit) ...
		assert_ok!(Session::set_keys(RuntimeOrigin::signed(NO_KEYS), UintAuthorityId(60), vec![]));
		assert_eq!(
			<Balances as frame_support::traits::fungible::InspectHold<_>>::total_balance_on_hold(
				&NO_KEYS
			),
			KEY_DEPOSIT
		);
		// ... and governance adds it.
		assert_ok!(ValidatorSet::add_validator(root(), NO_KEYS));
		run_to_block(2 * SESSION_LENGTH);
		assert_eq!(session_validators(), vec![1, 2, 3, NO_KEYS]);
		assert_eq!(
			pallet_session::QueuedKeys::<Test>::get().last(),
			Some(&(NO_KEYS, UintAuthorityId(60)))
		);
	});
}

#[test]
fn a_removed_validator_stops_after_the_session_after_the_next_change() {
	build_and_execute(|| {
		run_to_block(3);
		assert_ok!(ValidatorSet::remove_validator(root(), 2));
		assert_eq!(events(), vec![Event::ValidatorRemoved { who: 2 }]);
		assert_eq!(ValidatorSet::validators(), vec![1, 3]);
		run_to_block(SESSION_LENGTH);
		assert_eq!(session_validators(), GENESIS.to_vec());
		run_to_block(2 * SESSION_LENGTH);
		assert_eq!(session_validators(), vec![1, 3]);
	});
}

#[test]
fn an_unchanged_set_is_not_handed_to_the_session_pallet_again() {
	build_and_execute(|| {
		run_to_block(4 * SESSION_LENGTH);
		assert_eq!(pallet_session::CurrentIndex::<Test>::get(), 4);
		assert_eq!(events(), vec![]);
		assert_eq!(session_validators(), GENESIS.to_vec());
	});
}

#[test]
fn several_changes_in_one_session_are_queued_together() {
	build_and_execute(|| {
		assert_ok!(ValidatorSet::add_validator(root(), 4));
		assert_ok!(ValidatorSet::remove_validator(root(), 1));
		assert_ok!(ValidatorSet::add_validator(root(), 5));
		run_to_block(SESSION_LENGTH);
		assert!(events().contains(&Event::NewSetQueued { session: 2, validators: 4 }));
		run_to_block(2 * SESSION_LENGTH);
		assert_eq!(session_validators(), vec![2, 3, 4, 5]);
	});
}

#[test]
fn add_validator_errors() {
	build_and_execute(|| {
		assert_noop!(
			ValidatorSet::add_validator(RuntimeOrigin::signed(1), 4),
			DispatchError::BadOrigin
		);
		assert_noop!(ValidatorSet::add_validator(root(), 1), Error::<Test>::AlreadyValidator);
		assert_noop!(ValidatorSet::add_validator(root(), NO_KEYS), Error::<Test>::NoSessionKeys);
		assert_ok!(ValidatorSet::add_validator(root(), 4));
		assert_ok!(ValidatorSet::add_validator(root(), 5));
		assert_eq!(Validators::<Test>::get().len() as u32, MAX_VALIDATORS);
		assert_ok!(Session::set_keys(RuntimeOrigin::signed(NO_KEYS), UintAuthorityId(60), vec![]));
		assert_noop!(
			ValidatorSet::add_validator(root(), NO_KEYS),
			Error::<Test>::TooManyValidators
		);
	});
}

#[test]
fn remove_validator_errors() {
	build_and_execute(|| {
		assert_noop!(
			ValidatorSet::remove_validator(RuntimeOrigin::signed(1), 3),
			DispatchError::BadOrigin
		);
		assert_noop!(ValidatorSet::remove_validator(root(), 4), Error::<Test>::NotValidator);
		assert_noop!(ValidatorSet::remove_validator(root(), NO_KEYS), Error::<Test>::NotValidator);
		assert_ok!(ValidatorSet::remove_validator(root(), 3));
		assert_eq!(Validators::<Test>::get().len() as u32, MIN_VALIDATORS);
		assert_noop!(ValidatorSet::remove_validator(root(), 2), Error::<Test>::TooFewValidators);
		// A removed validator may be added back (its keys stay registered).
		assert_ok!(ValidatorSet::add_validator(root(), 3));
	});
}

#[test]
fn session_length_defaults_and_is_never_zero() {
	let mut ext = new_test_ext();
	ext.execute_with(|| {
		SessionLength::<Test>::kill();
		assert_eq!(ValidatorSet::session_length(), 100);
		assert_eq!(
			ValidatorSet::on_initialize(1),
			<<Test as frame_system::Config>::DbWeight as frame_support::traits::Get<
				frame_support::weights::RuntimeDbWeight,
			>>::get()
			.reads(1)
		);
		SessionLength::<Test>::put(0);
		assert_eq!(ValidatorSet::session_length(), 1);
		assert!(ValidatorSet::do_try_state().is_err());
	});
}

#[test]
#[should_panic(expected = "session_length must be at least 1")]
fn genesis_refuses_a_zero_session_length() {
	let _ = frame_system::GenesisConfig::<Test>::default().build_storage();
	let mut storage = sp_runtime::Storage::default();
	let _ =
		crate::GenesisConfig::<Test> { session_length: Some(0) }.assimilate_storage(&mut storage);
}

#[test]
fn try_state_catches_an_empty_set_and_duplicates() {
	new_test_ext().execute_with(|| {
		assert_ok!(ValidatorSet::do_try_state());
		Validators::<Test>::put(BoundedVec::truncate_from(vec![1, 2, 1]));
		assert!(ValidatorSet::do_try_state().is_err());
		Validators::<Test>::kill();
		assert!(ValidatorSet::do_try_state().is_err());
	});
}
