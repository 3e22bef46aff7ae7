"""Referrals: the referral lifecycle, the partner directory, and coordination around the client."""
