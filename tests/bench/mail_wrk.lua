-- mail_wrk.lua — wrk script for make bench: each request carries one of the
-- signed-in sessions in $COOKIES (a file, one cookie a line), each thread
-- taking its own share, so one session is rarely in two requests at once.
-- The path is $MAIL_PATH.
local threads = {}
local counter = 0

function setup(thread)
  thread:set("id", counter)
  counter = counter + 1
  table.insert(threads, thread)
end

function init(args)
  cookies = {}
  for line in io.lines(os.getenv("COOKIES")) do cookies[#cookies + 1] = line end
  path = os.getenv("MAIL_PATH") or "/mail/"
  n = 0
end

function request()
  n = n + 1
  local k = ((n * 2 + id) % #cookies) + 1
  return wrk.format("GET", path, { ["Cookie"] = cookies[k] })
end
