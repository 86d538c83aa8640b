-- Undo the open transaction of a session (a script that failed part-way).
rollback transaction
