CREATE TABLE `votes` (
	`id` text PRIMARY KEY NOT NULL,
	`user_id` text NOT NULL,
	`session_id` text NOT NULL,
	`choice` text NOT NULL,
	`reason` text,
	`blind` integer NOT NULL,
	`all_completed` integer NOT NULL,
	`seconds_to_vote` real,
	`models` text NOT NULL,
	`positions` text NOT NULL,
	`leaked` integer DEFAULT false NOT NULL,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`session_id`) REFERENCES `comparison_sessions`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `votes_user_idx` ON `votes` (`user_id`,`created_at`);--> statement-breakpoint
CREATE INDEX `votes_session_idx` ON `votes` (`session_id`);