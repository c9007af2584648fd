-- Why a tenant is suspended (null while it is not): a suspension for non-payment still lets its owners and admins
-- sign in and reach billing, so that they can pay.
ALTER TABLE tenants ADD COLUMN suspension_reason VARCHAR(1000);
