CREATE TABLE `budget_ledger` (
	`response_id` text PRIMARY KEY NOT NULL,
	`user_id` text NOT NULL,
	`model_id` text NOT NULL,
	`reserved_nano` integer NOT NULL,
	`cost_nano` integer,
	`input_tokens` integer DEFAULT 0 NOT NULL,
	`output_tokens` integer DEFAULT 0 NOT NULL,
	`status` text DEFAULT 'reserved' NOT NULL,
	`reserved_at` integer NOT NULL,
	`settled_at` integer
);
--> statement-breakpoint
CREATE INDEX `budget_ledger_user_reserved_idx` ON `budget_ledger` (`user_id`,`reserved_at`);