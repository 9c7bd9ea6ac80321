CREATE TABLE "budget_ledger" (
	"response_id" text PRIMARY KEY NOT NULL,
	"user_id" text NOT NULL,
	"model_id" text NOT NULL,
	"reserved_nano" bigint NOT NULL,
	"cost_nano" bigint,
	"input_tokens" integer DEFAULT 0 NOT NULL,
	"output_tokens" integer DEFAULT 0 NOT NULL,
	"status" text DEFAULT 'reserved' NOT NULL,
	"reserved_at" timestamp with time zone NOT NULL,
	"settled_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "comparison_sessions" (
	"id" text PRIMARY KEY NOT NULL,
	"seq" bigint GENERATED ALWAYS AS IDENTITY (sequence name "comparison_sessions_seq_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"user_id" text NOT NULL,
	"prompt" text NOT NULL,
	"system" text,
	"temperature" double precision,
	"max_tokens" integer,
	"status" text DEFAULT 'pending' NOT NULL,
	"error_message" text,
	"final_event_id" integer,
	"parent_id" text,
	"root_id" text,
	"turn" integer DEFAULT 1 NOT NULL,
	"blind" boolean DEFAULT false NOT NULL,
	"revealed_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"completed_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "model_responses" (
	"id" text PRIMARY KEY NOT NULL,
	"session_id" text NOT NULL,
	"position" integer NOT NULL,
	"model_id" text NOT NULL,
	"provider" text NOT NULL,
	"response" text DEFAULT '' NOT NULL,
	"reasoning" text DEFAULT '' NOT NULL,
	"status" text DEFAULT 'pending' NOT NULL,
	"finish_reason" text,
	"input_tokens" integer DEFAULT 0 NOT NULL,
	"output_tokens" integer DEFAULT 0 NOT NULL,
	"cached_input_tokens" integer DEFAULT 0 NOT NULL,
	"cache_write_input_tokens" integer DEFAULT 0 NOT NULL,
	"reasoning_tokens" integer,
	"cost" double precision,
	"cost_source" text,
	"usage_source" text,
	"price" jsonb,
	"response_time_ms" integer,
	"time_to_first_token_ms" integer,
	"time_to_first_reasoning_ms" integer,
	"error_message" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "session_event_batches" (
	"session_id" text NOT NULL,
	"first_id" integer NOT NULL,
	"last_id" integer NOT NULL,
	"events" text NOT NULL,
	CONSTRAINT "session_event_batches_session_id_first_id_pk" PRIMARY KEY("session_id","first_id")
);
--> statement-breakpoint
CREATE TABLE "shares" (
	"id" text PRIMARY KEY NOT NULL,
	"session_id" text NOT NULL,
	"user_id" text NOT NULL,
	"snapshot" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"revoked_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "users" (
	"id" text PRIMARY KEY NOT NULL,
	"email" text,
	"name" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "votes" (
	"id" text PRIMARY KEY NOT NULL,
	"user_id" text NOT NULL,
	"session_id" text NOT NULL,
	"choice" text NOT NULL,
	"reason" text,
	"blind" boolean NOT NULL,
	"all_completed" boolean NOT NULL,
	"seconds_to_vote" double precision,
	"models" jsonb NOT NULL,
	"positions" jsonb NOT NULL,
	"leaked" boolean DEFAULT false NOT NULL,
	"created_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
ALTER TABLE "comparison_sessions" ADD CONSTRAINT "comparison_sessions_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "model_responses" ADD CONSTRAINT "model_responses_session_id_comparison_sessions_id_fk" FOREIGN KEY ("session_id") REFERENCES "public"."comparison_sessions"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "session_event_batches" ADD CONSTRAINT "session_event_batches_session_id_comparison_sessions_id_fk" FOREIGN KEY ("session_id") REFERENCES "public"."comparison_sessions"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "shares" ADD CONSTRAINT "shares_session_id_comparison_sessions_id_fk" FOREIGN KEY ("session_id") REFERENCES "public"."comparison_sessions"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "shares" ADD CONSTRAINT "shares_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "votes" ADD CONSTRAINT "votes_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "votes" ADD CONSTRAINT "votes_session_id_comparison_sessions_id_fk" FOREIGN KEY ("session_id") REFERENCES "public"."comparison_sessions"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "budget_ledger_user_reserved_idx" ON "budget_ledger" USING btree ("user_id","reserved_at");--> statement-breakpoint
CREATE INDEX "comparison_sessions_user_created_idx" ON "comparison_sessions" USING btree ("user_id","created_at");--> statement-breakpoint
CREATE INDEX "comparison_sessions_status_idx" ON "comparison_sessions" USING btree ("status");--> statement-breakpoint
CREATE INDEX "comparison_sessions_root_idx" ON "comparison_sessions" USING btree ("root_id");--> statement-breakpoint
CREATE UNIQUE INDEX "model_responses_session_model_idx" ON "model_responses" USING btree ("session_id","model_id");--> statement-breakpoint
CREATE INDEX "shares_session_idx" ON "shares" USING btree ("session_id","user_id");--> statement-breakpoint
CREATE INDEX "votes_user_idx" ON "votes" USING btree ("user_id","created_at");--> statement-breakpoint
CREATE INDEX "votes_session_idx" ON "votes" USING btree ("session_id");--> statement-breakpoint
CREATE UNIQUE INDEX "votes_one_blind_idx" ON "votes" USING btree ("session_id") WHERE "votes"."blind";