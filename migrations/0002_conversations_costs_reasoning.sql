PRAGMA foreign_keys=OFF;--> statement-breakpoint
CREATE TABLE `__new_model_responses` (
	`id` text PRIMARY KEY NOT NULL,
	`session_id` text NOT NULL,
	`position` integer NOT NULL,
	`model_id` text NOT NULL,
	`provider` text NOT NULL,
	`response` text DEFAULT '' NOT NULL,
	`reasoning` text DEFAULT '' NOT NULL,
	`status` text DEFAULT 'pending' NOT NULL,
	`finish_reason` text,
	`input_tokens` integer DEFAULT 0 NOT NULL,
	`output_tokens` integer DEFAULT 0 NOT NULL,
	`cached_input_tokens` integer DEFAULT 0 NOT NULL,
	`cache_write_input_tokens` integer DEFAULT 0 NOT NULL,
	`reasoning_tokens` integer,
	`cost` real,
	`cost_source` text,
	`usage_source` text,
	`price` text,
	`response_time_ms` integer,
	`time_to_first_token_ms` integer,
	`time_to_first_reasoning_ms` integer,
	`error_message` text,
	`created_at` integer DEFAULT (cast(unixepoch('subsec') * 1000 as integer)) NOT NULL,
	`updated_at` integer DEFAULT (cast(unixepoch('subsec') * 1000 as integer)) NOT NULL,
	FOREIGN KEY (`session_id`) REFERENCES `comparison_sessions`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
INSERT INTO `__new_model_responses`("id", "session_id", "position", "model_id", "provider", "response", "status", "input_tokens", "output_tokens", "cached_input_tokens", "cost", "response_time_ms", "time_to_first_token_ms", "error_message", "created_at", "updated_at") SELECT "id", "session_id", "position", "model_id", "provider", "response", "status", "input_tokens", "output_tokens", "cached_input_tokens", "cost", "response_time_ms", "time_to_first_token_ms", "error_message", "created_at", "updated_at" FROM `model_responses`;--> statement-breakpoint
DROP TABLE `model_responses`;--> statement-breakpoint
ALTER TABLE `__new_model_responses` RENAME TO `model_responses`;--> statement-breakpoint
PRAGMA foreign_keys=ON;--> statement-breakpoint
CREATE UNIQUE INDEX `model_responses_session_model_idx` ON `model_responses` (`session_id`,`model_id`);--> statement-breakpoint
ALTER TABLE `comparison_sessions` ADD `parent_id` text;--> statement-breakpoint
ALTER TABLE `comparison_sessions` ADD `root_id` text;--> statement-breakpoint
ALTER TABLE `comparison_sessions` ADD `turn` integer DEFAULT 1 NOT NULL;--> statement-breakpoint
ALTER TABLE `comparison_sessions` ADD `blind` integer DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE `comparison_sessions` ADD `revealed_at` integer;--> statement-breakpoint
CREATE INDEX `comparison_sessions_root_idx` ON `comparison_sessions` (`root_id`);