-- CreateEnum
CREATE TYPE "closed_status" AS ENUM ('FAILED', 'CANCELLED');

-- AlterTable
ALTER TABLE "orders" ADD COLUMN     "stock_epoch" INTEGER NOT NULL DEFAULT 1;

-- AlterTable
ALTER TABLE "sales" ADD COLUMN     "ticket_epoch" INTEGER NOT NULL DEFAULT 1;

-- CreateTable
CREATE TABLE "closed_tickets" (
    "ticket_id" TEXT NOT NULL,
    "sale_id" UUID NOT NULL,
    "user_id" TEXT NOT NULL,
    "ticket_number" INTEGER NOT NULL,
    "status" "closed_status" NOT NULL,
    "reason" TEXT,
    "closed_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "closed_tickets_pkey" PRIMARY KEY ("ticket_id")
);

-- CreateIndex
CREATE INDEX "closed_tickets_user_id_idx" ON "closed_tickets"("user_id");

-- CreateIndex
CREATE INDEX "orders_user_id_idx" ON "orders"("user_id");
