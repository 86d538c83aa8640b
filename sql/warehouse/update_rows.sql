-- Set the staged rows' columns on the rows of a table whose key matches a staged row, in one
-- statement; rows already holding those values are left alone, so writing twice changes nothing.
merge {{ target }} as t
using {{ staging }} as s
on {{ key_match }}
when matched and ({{ changed }}) then update set {{ assignments }}
