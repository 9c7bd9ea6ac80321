CREATE TABLE `session_event_batches` (
	`session_id` text NOT NULL,
	`first_id` integer NOT NULL,
	`last_id` integer NOT NULL,
	`events` text NOT NULL,
	PRIMARY KEY(`session_id`, `first_id`),
	FOREIGN KEY (`session_id`) REFERENCES `comparison_sessions`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
-- Added by hand: the events stored one per row become one batch each, with the same ids.
INSERT INTO `session_event_batches` (`session_id`, `first_id`, `last_id`, `events`)
SELECT `session_id`, `id`, `id`, `event` || ' ' || `data` FROM `session_events`;
--> statement-breakpoint
DROP TABLE `session_events`;