namespace ClusterManager.Agents.IpAddr;

/// <summary>The native IPaddr2's meta-data (OCF 1.1), listing the parameters it understands.</summary>
internal static class IpAddr2Metadata
{
    public const string Xml = """
        <?xml version="1.0"?>
        <!DOCTYPE resource-agent SYSTEM "ra-api-1.dtd">
        <resource-agent name="IPaddr2" version="1.0">
        <version>1.1</version>
        <longdesc lang="en">ClusterManager's native floating IP (IPv4 and IPv6), compatible with ocf:heartbeat:IPaddr2's parameters. Start refuses an address another host answers for (ARP probe / DAD), adds it and announces it with gratuitous ARP or unsolicited neighbour advertisements; monitor checks the address is present and its link up.</longdesc>
        <shortdesc lang="en">Manages a floating IP address (native)</shortdesc>
        <parameters>
        <parameter name="ip" unique="1" required="1"><longdesc lang="en">The IPv4 or IPv6 address.</longdesc><shortdesc lang="en">IP address</shortdesc><content type="string" default=""/></parameter>
        <parameter name="nic"><longdesc lang="en">Interface to add the address to; found from the routing table when not given.</longdesc><shortdesc lang="en">Network interface</shortdesc><content type="string"/></parameter>
        <parameter name="cidr_netmask"><longdesc lang="en">Prefix length (or dotted IPv4 netmask); from the matching route when not given.</longdesc><shortdesc lang="en">CIDR netmask</shortdesc><content type="string" default=""/></parameter>
        <parameter name="broadcast"><longdesc lang="en">IPv4 broadcast address; computed when not given.</longdesc><shortdesc lang="en">Broadcast address</shortdesc><content type="string" default=""/></parameter>
        <parameter name="iflabel"><longdesc lang="en">IPv4 address label (nic:label).</longdesc><shortdesc lang="en">Interface label</shortdesc><content type="string" default=""/></parameter>
        <parameter name="arp_count"><longdesc lang="en">Number of gratuitous ARPs / unsolicited neighbour advertisements sent after start.</longdesc><shortdesc lang="en">ARP packet count</shortdesc><content type="integer" default="5"/></parameter>
        <parameter name="arp_interval"><longdesc lang="en">Milliseconds between announcements.</longdesc><shortdesc lang="en">ARP interval in ms</shortdesc><content type="integer" default="200"/></parameter>
        <parameter name="arp_bg"><longdesc lang="en">Announce in the background (start returns at once).</longdesc><shortdesc lang="en">ARP from background</shortdesc><content type="boolean" default="true"/></parameter>
        <parameter name="run_arping"><longdesc lang="en">Probe before start and refuse an IPv4 address another host answers for.</longdesc><shortdesc lang="en">Run duplicate address check</shortdesc><content type="boolean" default="true"/></parameter>
        <parameter name="network_namespace"><longdesc lang="en">Network namespace (ip netns name) that holds the interface.</longdesc><shortdesc lang="en">Network namespace</shortdesc><content type="string" default=""/></parameter>
        <parameter name="preferred_lft"><longdesc lang="en">Preferred lifetime passed to ip addr add.</longdesc><shortdesc lang="en">Preferred lifetime</shortdesc><content type="string" default="forever"/></parameter>
        <parameter name="nodad"><longdesc lang="en">IPv6: skip duplicate address detection.</longdesc><shortdesc lang="en">No DAD</shortdesc><content type="boolean" default="false"/></parameter>
        <parameter name="noprefixroute"><longdesc lang="en">Do not create the prefix route.</longdesc><shortdesc lang="en">No prefix route</shortdesc><content type="boolean" default="false"/></parameter>
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
