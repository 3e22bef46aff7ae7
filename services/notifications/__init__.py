"""Notifications: reminders and messages to caseworkers and partners, delivered once, in their language."""
