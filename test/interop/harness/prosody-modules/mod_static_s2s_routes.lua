-- mod_static_s2s_routes: test-only Prosody module (Herald interop harness).
--
-- Sends outgoing server-to-server connections for configured domains to a fixed host:port
-- instead of resolving _xmpp-server._tcp / _xmpps-server._tcp SRV records, so test peers on
-- loopback can federate without any DNS. With static_s2s_routes_only = true (the default), any
-- domain without a route fails to connect instead of falling back to real DNS.
--
-- Config:
--   static_s2s_routes = {
--     ["ejabberd.test"] = { host = "127.0.0.1", port = 5269 };           -- STARTTLS s2s
--     ["herald.test"]   = { host = "127.0.0.1", port = 5270, direct_tls = false };
--   }
--   static_s2s_routes_only = true
--
-- How: mod_s2s builds its connection target with require("net.resolvers.service").new(...).
-- This module wraps that function (once per process; undone on unload) and returns Prosody's
-- own net.resolvers.manual resolver, which hands out a fixed list of targets, for routed domains.

module:set_global();

local service = require "net.resolvers.service";
local manual = require "net.resolvers.manual";

local routes = module:get_option("static_s2s_routes", {});
local routes_only = module:get_option_boolean("static_s2s_routes_only", true);

local original_new = service._static_s2s_routes_original or service.new;
service._static_s2s_routes_original = original_new;

local function find_route(hostname)
	if type(hostname) ~= "string" then return nil; end
	return routes[hostname] or routes[hostname:lower()];
end

service.new = function (hostname, srv_name, proto, extra, ...)
	if srv_name ~= "xmpp-server" and srv_name ~= "xmpps-server" then
		return original_new(hostname, srv_name, proto, extra, ...);
	end
	local route = find_route(hostname);
	if not route then
		if routes_only then
			module:log("warn", "No static s2s route for %s (%s); not using DNS", tostring(hostname), srv_name);
			return manual.new({}, proto, extra);
		end
		return original_new(hostname, srv_name, proto, extra, ...);
	end
	local wants_direct_tls = srv_name == "xmpps-server";
	if wants_direct_tls ~= (route.direct_tls == true) then
		-- No target for this flavour; the resolver chain moves on to the other one.
		return manual.new({}, proto, extra);
	end
	local host = route.host or "127.0.0.1";
	local family = host:find(":", 1, true) and "6" or "4";
	module:log("info", "Static s2s route for %s (%s): %s port %d", hostname, srv_name, host, route.port);
	return manual.new({ { (proto or "tcp") .. family, host, route.port, extra } }, proto, extra);
end

function module.unload()
	service.new = original_new;
end
