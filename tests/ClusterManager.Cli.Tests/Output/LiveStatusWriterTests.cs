using System.Text.Json;
using ClusterManager.Api.V1;
using ClusterManager.Cli.Client;
using ClusterManager.Cli.Output;

namespace ClusterManager.Cli.Tests.Output;

public class LiveStatusWriterTests
{
    private static readonly DateTimeOffset Now = new(2026, 1, 2, 3, 4, 5, TimeSpan.Zero);

    private const string Cib = """
        <cib validate-with="pacemaker-3.7" epoch="7" num_updates="0" admin_epoch="0">
          <configuration>
            <crm_config>
              <cluster_property_set id="cib-bootstrap-options">
                <nvpair id="o-name" name="cluster-name" value="lab"/>
              </cluster_property_set>
            </crm_config>
            <nodes>
              <node id="n2" uname="n2">
                <instance_attributes id="nodes-n2"><nvpair id="nodes-n2-standby" name="standby" value="on"/></instance_attributes>
              </node>
            </nodes>
            <resources>
              <primitive id="VirtualIP" class="ocf" provider="heartbeat" type="IPaddr2">
                <instance_attributes id="VirtualIP-ia"><nvpair id="VirtualIP-ia-ip" name="ip" value="198.18.0.100"/></instance_attributes>
              </primitive>
              <primitive id="Web" class="systemd" type="haproxy"/>
              <primitive id="Off" class="ocf" provider="heartbeat" type="Dummy">
                <meta_attributes id="Off-meta"><nvpair id="Off-meta-target-role" name="target-role" value="Stopped"/></meta_attributes>
              </primitive>
            </resources>
            <constraints/>
          </configuration>
          <status>
            <node_state id="n1" uname="n1" in_ccm="true" crmd="online" join="member" expected="member">
              <transient_attributes id="n1">
                <instance_attributes id="status-n1">
                  <nvpair id="status-n1-fc" name="fail-count-Web#monitor_10000" value="2"/>
                  <nvpair id="status-n1-lf" name="last-failure-Web#monitor_10000" value="1767322800"/>
                </instance_attributes>
              </transient_attributes>
              <lrm id="n1">
                <lrm_resources>
                  <lrm_resource id="VirtualIP" class="ocf" provider="heartbeat" type="IPaddr2">
                    <lrm_rsc_op id="VirtualIP_last_0" operation_key="VirtualIP_start_0" operation="start" transition-key="1:1:0:abc" transition-magic="0:0;1:1:0:abc" call-id="5" rc-code="0" op-status="0" interval="0" last-rc-change="1767322800" exec-time="20" queue-time="0" op-digest="x" on_node="n1"/>
                  </lrm_resource>
                  <lrm_resource id="Web" class="systemd" type="haproxy">
                    <lrm_rsc_op id="Web_last_0" operation_key="Web_start_0" operation="start" transition-key="2:1:0:abc" transition-magic="0:0;2:1:0:abc" call-id="6" rc-code="0" op-status="0" interval="0" last-rc-change="1767322800" exec-time="20" queue-time="0" op-digest="x" on_node="n1"/>
                    <lrm_rsc_op id="Web_last_failure_0" operation_key="Web_monitor_10000" operation="monitor" transition-key="3:1:0:abc" transition-magic="0:7;3:1:0:abc" call-id="7" rc-code="7" op-status="0" interval="10000" last-rc-change="1767322800" exec-time="3" queue-time="0" op-digest="x" exit-reason="haproxy is not running" on_node="n1"/>
                  </lrm_resource>
                </lrm_resources>
              </lrm>
            </node_state>
          </status>
        </cib>
        """;

    private static LiveCluster Live(bool stonithDevice = false, params (string Name, string Status, bool Leader)[] members)
    {
        var membership = new GetStatusResponse { LocalNode = "n1", Leader = members.FirstOrDefault(m => m.Leader).Name ?? "", HasQuorum = true, Epoch = 7, Term = 3 };
        membership.Members.AddRange(members.Select(m => new Member { Name = m.Name, Status = m.Status, IsLeader = m.Leader, IsLocal = m.Name == "n1" }));
        var cib = stonithDevice ? Cib.Replace("<resources>", "<resources><primitive id=\"fence1\" class=\"stonith\" type=\"fence_virsh\"/>", StringComparison.Ordinal) : Cib;
        return LiveCluster.From(membership, ClusterState.Parse(cib, 7, 20, Now));
    }

    private static LiveCluster ThreeNodes(bool stonithDevice = false) =>
        Live(stonithDevice, ("n1", "available", true), ("n2", "available", false), ("n3", "unavailable", false));

    private static string Text(LiveCluster live, bool full = false)
    {
        using var writer = new StringWriter();
        var last = new HistoryEntry { Epoch = 7, Author = "root", TimestampUnixMs = Now.AddMinutes(-1).ToUnixTimeMilliseconds() };
        LiveStatusWriter.Write(writer, live, last, Now, TimeZoneInfo.Utc, full);
        return writer.ToString();
    }

    [Test]
    public void Write_PrintsPcsStatusLayout()
    {
        var text = Text(ThreeNodes());

        Assert.That(text, Does.StartWith("""
            Cluster name: lab
            WARNINGS:
            No stonith devices and stonith-enabled is not false

            Cluster Summary:
              * Stack: clusterd (Raft)
              * Current DC: n1 (term 3) - partition with quorum
              * Last updated: Fri Jan  2 03:04:05 2026 on n1
              * Last change:  Fri Jan  2 03:03:05 2026 by root (epoch 7)
              * 3 nodes configured
              * 3 resource instances configured (1 DISABLED)

            Node List:
              * Node n2: standby
              * Online: [ n1 ]
              * OFFLINE: [ n3 ]

            Full List of Resources:
              * VirtualIP	(ocf:heartbeat:IPaddr2):	 Started n1
              * Web	(systemd:haproxy):	 FAILED n1
              * Off	(ocf:heartbeat:Dummy):	 Stopped (disabled)

            Failed Resource Actions:
              * Web_monitor_10000 on n1 'not running' (7): call=7, status='complete', exitreason='haproxy is not running', last-rc-change='Fri Jan  2 03:00:00 2026', queued=0ms, exec=3ms

            """.Replace("\r", "", StringComparison.Ordinal)));
    }

    [Test]
    public void Write_OmitsTheStonithWarning_WhenADeviceExists() =>
        Assert.That(Text(ThreeNodes(stonithDevice: true)), Does.Not.Contain("WARNINGS"));

    [Test]
    public void Write_AddsNodeAttributesAndFailCounts_WithFull()
    {
        var text = Text(ThreeNodes(), full: true);

        Assert.That(text, Does.Contain("Node Attributes:\n  * Node: n2:\n    * standby"));
        Assert.That(text, Does.Contain("Migration Summary:\n  * Node: n1:\n    * Web: migration-threshold=1000000 fail-count=2 last-failure='Fri Jan  2 03:00:00 2026':"));
    }

    [Test]
    public void Nodes_TakeOnlineFromMembership_AndStandbyFromTheConfiguration()
    {
        var nodes = LiveStatusWriter.Nodes(ThreeNodes());

        Assert.That(nodes.Select(n => (n.Name, n.Online, n.Standby, n.Leader)), Is.EqualTo(new[]
        {
            ("n1", true, false, true), ("n2", true, true, false), ("n3", false, false, false),
        }));
    }

    [Test]
    public void Json_DescribesNodesResourcesAndFailures()
    {
        var json = JsonDocument.Parse(LiveStatusWriter.Json(ThreeNodes(), null, Now).ToJsonString()).RootElement;

        Assert.That(json.GetProperty("cluster_name").GetString(), Is.EqualTo("lab"));
        Assert.That(json.GetProperty("dc").GetString(), Is.EqualTo("n1"));
        var resources = json.GetProperty("resources").EnumerateArray().ToDictionary(r => r.GetProperty("id").GetString()!);
        Assert.That(resources["VirtualIP"].GetProperty("nodes").EnumerateArray().Select(n => n.GetString()), Is.EqualTo(new[] { "n1" }));
        Assert.That(resources["VirtualIP"].GetProperty("role").GetString(), Is.EqualTo("Started"));
        Assert.That(resources["Web"].GetProperty("failed").GetBoolean(), Is.True);
        Assert.That(resources["Off"].GetProperty("disabled").GetBoolean(), Is.True);
        Assert.That(json.GetProperty("failed_actions")[0].GetProperty("key").GetString(), Is.EqualTo("Web_monitor_10000"));
        Assert.That(json.GetProperty("fail_counts")[0].GetProperty("count").GetString(), Is.EqualTo("2"));
    }

    [Test]
    public void RunningOn_FindsTheNodeOfAResource()
    {
        var live = ThreeNodes();

        Assert.That(live.RunningOn("VirtualIP").Select(n => n.Value), Is.EqualTo(new[] { "n1" }));
        Assert.That(live.RunningOn("Off"), Is.Empty);
    }

    [Test]
    public void Write_WarnsOfAStaleView_WithoutQuorum()
    {
        var membership = new GetStatusResponse { LocalNode = "n1", HasQuorum = false };
        membership.Members.Add(new Member { Name = "n1", Status = "unknown", IsLocal = true });
        var live = LiveCluster.From(membership, ClusterState.Parse(Cib, 7, 20, Now) with { Stale = true });

        var text = Text(live);

        Assert.That(text, Does.Contain("n1 has no quorum: the configuration and resource state shown may be out of date"));
        Assert.That(text, Does.Contain("* Current DC: NONE"));
    }
}
