using ClusterManager.Cli.Commands;
using ClusterManager.Cli.Output;
using ClusterManager.Model;
using ClusterManager.Policy;
using static ClusterManager.Cli.Tests.Support.Views;

namespace ClusterManager.Cli.Tests.Commands;

public class SimulateCommandTests
{
    private static string Render(Transition transition, string? dateNote = null, bool maintenance = false)
    {
        using var writer = new StringWriter();
        SimulateCommand.WriteText(writer, transition, StatusWriteOptions.Default, dateNote, maintenance, showScores: false);
        return writer.ToString();
    }

    [Test]
    public void WriteText_ReproducesCrmSimulateSummary_WithoutTheExecutionSection()
    {
        // core/simple6.summary without "Executing Cluster Transition"
        var transition = Transition(
            View([Online("node1")], Stopped("rsc2"), Started("rsc1", "node1")),
            View([Online("node1")], Started("rsc2", "node1"), Stopped("rsc1")),
            Change(ChangeKind.Start, "rsc2", null, "node1"),
            Change(ChangeKind.Stop, "rsc1", "node1", null, reason: "node availability"));

        Assert.That(Render(transition), Is.EqualTo(Text(
            "Current cluster status:",
            "  * Node List:",
            "    * Online: [ node1 ]",
            "",
            "  * Full List of Resources:",
            "    * rsc2\t(ocf:heartbeat:apache):\t Stopped",
            "    * rsc1\t(ocf:heartbeat:apache):\t Started node1",
            "",
            "Transition Summary:",
            "  * Start      rsc2    ( node1 )",
            "  * Stop       rsc1    ( node1 )  due to node availability",
            "",
            "Revised Cluster Status:",
            "  * Node List:",
            "    * Online: [ node1 ]",
            "",
            "  * Full List of Resources:",
            "    * rsc2\t(ocf:heartbeat:apache):\t Started node1",
            "    * rsc1\t(ocf:heartbeat:apache):\t Stopped")));
    }

    [Test]
    public void WriteText_PrintsMaintenanceAndBlockedNotes_BeforeTheStatus()
    {
        // core/bug-5028-detach.summary
        var view = View([Online("bl460g6a"), Online("bl460g6b")],
            Group("dummy-g",
                Started("dummy01", "bl460g6a", "ocf:heartbeat:Dummy") with { Managed = false },
                Started("dummy02", "bl460g6a", "ocf:heartbeat:Dummy-stop-NG") with { Managed = false, Blocked = true, Failed = true })
            with { Managed = false });

        Assert.That(Render(Transition(view, view), maintenance: true), Does.StartWith(Text(
            "",
            "              *** Resource management is DISABLED ***",
            "  The cluster will not attempt to start, stop or recover services",
            "",
            "0 of 2 resource instances DISABLED and 1 BLOCKED from further action due to failure",
            "",
            "Current cluster status:")));
    }

    [Test]
    public void WriteText_PrintsExecutionDateNote_DirectlyBeforeTheStatus()
    {
        // core/coloc-dependee-should-move.summary
        var view = View([Online("rhel7-1")]);

        Assert.That(Render(Transition(view, view), "Using the original execution date of: 2019-10-22 20:53:06Z"),
            Does.StartWith(Text("Using the original execution date of: 2019-10-22 20:53:06Z", "Current cluster status:")));
    }

    [Test]
    public void StatusOptionsFor_ReadsSymmetryCloneHistoryAndPriorities()
    {
        var xml = """
            <cib>
              <configuration>
                <crm_config><cluster_property_set id="o"><nvpair id="o1" name="symmetric-cluster" value="false"/></cluster_property_set></crm_config>
                <nodes><node id="1" uname="n1"/><node id="2" uname="n2"/></nodes>
                <resources>
                  <clone id="c"><primitive id="d" class="ocf" provider="pacemaker" type="Dummy"/></clone>
                  <primitive id="p" class="ocf" provider="pacemaker" type="Dummy">
                    <meta_attributes id="p-meta"><nvpair id="p-prio" name="priority" value="2.0"/></meta_attributes>
                  </primitive>
                </resources>
                <constraints/>
              </configuration>
              <status>
                <node_state id="2" uname="n2" in_ccm="true" crmd="online" join="member" expected="member">
                  <lrm id="2"><lrm_resources>
                    <lrm_resource id="d:1" class="ocf" provider="pacemaker" type="Dummy">
                      <lrm_rsc_op id="d_last_0" operation_key="d_monitor_0" operation="monitor" call-id="1" rc-code="7" op-status="0" interval="0" crm-debug-origin="x" transition-key="1:1:7:x" transition-magic="0:7;1:1:7:x" on_node="n2"/>
                    </lrm_resource>
                  </lrm_resources></lrm>
                </node_state>
              </status>
            </cib>
            """;
        var snapshot = ClusterManager.Cib.CibReader.Parse(xml, DateTimeOffset.UnixEpoch).Snapshot;

        var options = SimulateCommand.StatusOptionsFor(snapshot);

        Assert.That(options.SymmetricCluster, Is.False);
        Assert.That(options.KnownOn[new ResourceId("c")], Is.EqualTo(new[] { new NodeName("n2") }));
        Assert.That((options.Priorities[new ResourceId("p")], options.Priorities[new ResourceId("c")]), Is.EqualTo((2, 0)));
    }
}
