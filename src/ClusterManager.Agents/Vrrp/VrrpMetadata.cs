namespace ClusterManager.Agents.Vrrp;

/// <summary>The meta-data (OCF 1.1) of <c>ocf:clustermanager:vrrp</c>, listing <see cref="VrrpAgentParameters.Names"/>.</summary>
internal static class VrrpMetadata
{
    public const string Xml = """
        <?xml version="1.0"?>
        <!DOCTYPE resource-agent SYSTEM "ra-api-1.dtd">
        <resource-agent name="vrrp" version="1.0">
        <version>1.1</version>
        <longdesc lang="en">A VRRP virtual router (RFC 5798 VRRPv3, RFC 3768 VRRPv2 with PASS authentication) that interoperates with keepalived, normally cloned on every node: the instances elect a master, which holds the virtual addresses. Start runs cm-vrrpd with the instance, stop makes a master resign (priority 0 advert) and removes the addresses, monitor checks the instance runs. The node attribute vrrp-RESOURCE-master is 1 on the master and 0 elsewhere (for rules and colocations); vrrp-RESOURCE-mismatch names a peer whose adverts disagree (interval, version, password, address list).</longdesc>
        <shortdesc lang="en">VRRP virtual router (keepalived vrrp_instance)</shortdesc>
        <parameters>
        <parameter name="vrid" unique="1" required="1"><longdesc lang="en">Virtual router id (keepalived virtual_router_id), 1-255; the same on every node of the router.</longdesc><shortdesc lang="en">Virtual router id</shortdesc><content type="integer"/></parameter>
        <parameter name="interface" required="1"><longdesc lang="en">Interface the instance runs on (keepalived interface).</longdesc><shortdesc lang="en">Network interface</shortdesc><content type="string"/></parameter>
        <parameter name="ip" unique="1" required="1"><longdesc lang="en">Virtual addresses with optional prefix (keepalived virtual_ipaddress), separated by commas or spaces, e.g. 198.18.0.100/24.</longdesc><shortdesc lang="en">Virtual addresses</shortdesc><content type="string"/></parameter>
        <parameter name="priority"><longdesc lang="en">Priority 1-255 (255: the address owner, master at once); equal priorities elect the node with the highest primary address.</longdesc><shortdesc lang="en">Priority</shortdesc><content type="integer" default="100"/></parameter>
        <parameter name="advert_int"><longdesc lang="en">Advertisement interval in seconds: VRRPv3 0.01-40.95 in 0.01 steps (default 0.1: the address moves about 0.3 s after a crash of the master), VRRPv2 whole seconds (default 1). keepalived peers must use the same interval.</longdesc><shortdesc lang="en">Advert interval</shortdesc><content type="string" default="0.1"/></parameter>
        <parameter name="version"><longdesc lang="en">VRRP version 2 (RFC 3768, with PASS authentication) or 3 (RFC 5798).</longdesc><shortdesc lang="en">VRRP version</shortdesc><content type="integer" default="3"/></parameter>
        <parameter name="unicast_src_ip"><longdesc lang="en">Source address of adverts in unicast mode (keepalived unicast_src_ip).</longdesc><shortdesc lang="en">Unicast source</shortdesc><content type="string"/></parameter>
        <parameter name="unicast_peer"><longdesc lang="en">Peers to send adverts to instead of multicast, separated by commas or spaces (keepalived unicast_peer).</longdesc><shortdesc lang="en">Unicast peers</shortdesc><content type="string"/></parameter>
        <parameter name="auth_pass"><longdesc lang="en">VRRPv2 auth_type PASS password (8 characters are sent).</longdesc><shortdesc lang="en">Password</shortdesc><content type="string"/></parameter>
        <parameter name="preempt"><longdesc lang="en">A higher-priority backup takes over from a lower-priority master.</longdesc><shortdesc lang="en">Preempt</shortdesc><content type="boolean" default="true"/></parameter>
        <parameter name="nopreempt"><longdesc lang="en">keepalived's nopreempt (overrides preempt).</longdesc><shortdesc lang="en">No preempt</shortdesc><content type="boolean" default="false"/></parameter>
        <parameter name="preempt_delay"><longdesc lang="en">Seconds to wait before preempting after start (keepalived preempt_delay).</longdesc><shortdesc lang="en">Preempt delay</shortdesc><content type="string" default="0"/></parameter>
        <parameter name="down_timer_adverts"><longdesc lang="en">Adverts missed before a backup takes over (keepalived down_timer_adverts).</longdesc><shortdesc lang="en">Down timer adverts</shortdesc><content type="integer" default="3"/></parameter>
        <parameter name="garp_master_delay"><longdesc lang="en">Seconds after becoming master before the second gratuitous ARP burst.</longdesc><shortdesc lang="en">GARP delay</shortdesc><content type="string" default="5"/></parameter>
        <parameter name="garp_master_repeat"><longdesc lang="en">Gratuitous ARPs per burst.</longdesc><shortdesc lang="en">GARP repeat</shortdesc><content type="integer" default="5"/></parameter>
        <parameter name="use_vmac"><longdesc lang="en">keepalived use_vmac: a macvlan vrrp.VRID with MAC 00:00:5e:00:01:VRID carries the addresses (multicast only).</longdesc><shortdesc lang="en">Virtual MAC</shortdesc><content type="boolean" default="false"/></parameter>
        <parameter name="track_interface"><longdesc lang="en">Interfaces whose loss of carrier puts the instance in FAULT, separated by commas or spaces.</longdesc><shortdesc lang="en">Tracked interfaces</shortdesc><content type="string"/></parameter>
        <parameter name="track_script"><longdesc lang="en">A health check command (run with /bin/sh -c), with track_script_interval/_timeout/_weight/_fall/_rise; or a JSON array of keepalived vrrp_script blocks [{&quot;name&quot;:..,&quot;script&quot;:..,&quot;interval&quot;:..,&quot;weight&quot;:..,&quot;fall&quot;:..,&quot;rise&quot;:..}].</longdesc><shortdesc lang="en">Track scripts</shortdesc><content type="string"/></parameter>
        <parameter name="track_script_interval"><longdesc lang="en">Seconds between runs of the single track_script.</longdesc><shortdesc lang="en">Track script interval</shortdesc><content type="string" default="1"/></parameter>
        <parameter name="track_script_timeout"><longdesc lang="en">Seconds before a run counts as failed (0: the interval).</longdesc><shortdesc lang="en">Track script timeout</shortdesc><content type="string" default="0"/></parameter>
        <parameter name="track_script_weight"><longdesc lang="en">Priority change while the script fails (0: failure means FAULT).</longdesc><shortdesc lang="en">Track script weight</shortdesc><content type="integer" default="0"/></parameter>
        <parameter name="track_script_fall"><longdesc lang="en">Consecutive failures to fail.</longdesc><shortdesc lang="en">Track script fall</shortdesc><content type="integer" default="1"/></parameter>
        <parameter name="track_script_rise"><longdesc lang="en">Consecutive successes to recover.</longdesc><shortdesc lang="en">Track script rise</shortdesc><content type="integer" default="1"/></parameter>
        <parameter name="notify_master"><longdesc lang="en">Command run on becoming master.</longdesc><shortdesc lang="en">Notify master</shortdesc><content type="string"/></parameter>
        <parameter name="notify_backup"><longdesc lang="en">Command run on becoming backup.</longdesc><shortdesc lang="en">Notify backup</shortdesc><content type="string"/></parameter>
        <parameter name="notify_fault"><longdesc lang="en">Command run on entering FAULT.</longdesc><shortdesc lang="en">Notify fault</shortdesc><content type="string"/></parameter>
        <parameter name="notify_stop"><longdesc lang="en">Command run when the instance stops.</longdesc><shortdesc lang="en">Notify stop</shortdesc><content type="string"/></parameter>
        <parameter name="notify"><longdesc lang="en">Command run on every change with keepalived's arguments appended: INSTANCE name STATE priority.</longdesc><shortdesc lang="en">Notify</shortdesc><content type="string"/></parameter>
        <parameter name="network_namespace"><longdesc lang="en">Network namespace (ip netns name) the instance runs in.</longdesc><shortdesc lang="en">Network namespace</shortdesc><content type="string"/></parameter>
        <parameter name="daemon"><longdesc lang="en">Path of cm-vrrpd; found beside the cluster daemon, in /usr/lib/clustermanager or on PATH when not given.</longdesc><shortdesc lang="en">cm-vrrpd path</shortdesc><content type="string"/></parameter>
        </parameters>
        <actions>
        <action name="start" timeout="20s"/>
        <action name="stop" timeout="20s"/>
        <action name="monitor" depth="0" timeout="20s" interval="10s"/>
        <action name="meta-data" timeout="5s"/>
        <action name="validate-all" timeout="20s"/>
        </actions>
        </resource-agent>
        """;
}
