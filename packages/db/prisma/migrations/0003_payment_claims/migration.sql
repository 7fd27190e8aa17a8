-- AlterTable
ALTER TABLE "orders" ADD COLUMN     "payment_started_at" TIMESTAMPTZ(3);
