-- AlterTable
ALTER TABLE "sales" ADD COLUMN     "challenge_difficulty" INTEGER NOT NULL DEFAULT 0,
ADD COLUMN     "prequeue_opens_at" TIMESTAMPTZ(3);
