-- Break-glass (emergency-access) accounts: marked users, kept out of Conditional Access
-- by the admins and watched by the portal. The mark goes with the user.
CREATE TABLE break_glass_accounts (
    user_id TEXT PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    marked_at INTEGER NOT NULL
);
