"""Commands of the application shell; each module holds one command or group."""
