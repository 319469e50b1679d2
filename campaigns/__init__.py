"""Campaigns: planning, content checks, approval, scheduling and publishing channels."""
