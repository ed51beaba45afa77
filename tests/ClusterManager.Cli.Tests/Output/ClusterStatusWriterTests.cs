using System.Collections.Immutable;
using ClusterManager.Cli.Output;
using ClusterManager.Model;
using ClusterManager.Policy;
using static ClusterManager.Cli.Tests.Support.Views;

namespace ClusterManager.Cli.Tests.Output;

// Expected texts are copied from tests/conformance/pacemaker-2.1.5/*/*.summary (crm_simulate 2.1.5 -S).
public class ClusterStatusWriterTests
{
    private static string Render(string title, ClusterView view, StatusWriteOptions? options = null)
    {
        using var writer = new StringWriter();
        ClusterStatusWriter.Write(writer, title, view, options);
        return writer.ToString();
    }

    [Test]
    public void Write_MatchesCrmSimulate_ForPrimitivesOnOneNode()
    {
        // core/simple6.summary
        var view = View([Online("node1")],
            Stopped("rsc2"),
            Started("rsc1", "node1"));

        Assert.That(Render("Current cluster status", view), Is.EqualTo(Text(
            "Current cluster status:",
            "  * Node List:",
            "    * Online: [ node1 ]",
            "",
            "  * Full List of Resources:",
            "    * rsc2\t(ocf:heartbeat:apache):\t Stopped",
            "    * rsc1\t(ocf:heartbeat:apache):\t Started node1")));
    }

    [Test]
    public void Write_ListsResourcesByPriority_ThenDocumentOrder()
    {
        // core/simple6.xml declares rsc1 (priority 1) before rsc2 (priority 2); crm_simulate lists rsc2 first.
        var view = View([Online("node1")], Started("rsc1", "node1"), Stopped("rsc2"), Stopped("rsc3"));
        var options = new StatusWriteOptions
        {
            Priorities = ImmutableDictionary<ResourceId, int>.Empty.Add(new ResourceId("rsc1"), 1).Add(new ResourceId("rsc2"), 2),
        };

        Assert.That(Render("Current cluster status", view, options), Does.EndWith(Text(
            "    * rsc2\t(ocf:heartbeat:apache):\t Stopped",
            "    * rsc1\t(ocf:heartbeat:apache):\t Started node1",
            "    * rsc3\t(ocf:heartbeat:apache):\t Stopped")));
    }

    [Test]
    public void Write_ListsBadNodesFirst_ThenOnlineAndOfflineInNaturalOrder()
    {
        // core/bug-5069-op-enabled.summary, plus node modes from core/systemhealth1 and multiply-active-stonith
        var view = View([Offline("fc16-builder3"), Online("fc16-builder2"), Offline("fc16-builder"), Unclean("hs21d"), Unclean("node2", online: true), Standby("rhel7-1")],
            Started("A", "fc16-builder2", "ocf:pacemaker:Dummy") with { FailureIgnored = true });

        Assert.That(Render("Current cluster status", view), Is.EqualTo(Text(
            "Current cluster status:",
            "  * Node List:",
            "    * Node hs21d: UNCLEAN (offline)",
            "    * Node node2: UNCLEAN (online)",
            "    * Node rhel7-1: standby",
            "    * Online: [ fc16-builder2 ]",
            "    * OFFLINE: [ fc16-builder fc16-builder3 ]",
            "",
            "  * Full List of Resources:",
            "    * A\t(ocf:pacemaker:Dummy):\t Started fc16-builder2 (failure ignored)")));
    }

    [Test]
    public void Write_ShowsMultiplyActiveAndFailed_AsCrmSimulate()
    {
        // core/multiply-active-stonith.summary
        var view = View([Online("node1"), Unclean("node2", online: true), Online("node3")],
            Rsc("fencer", "stonith:fence_ipmilan", ResourceRole.Started, "node2", "node3"),
            Rsc("rsc1", "lsb:rsc1", ResourceRole.Started, "node2") with { Failed = true });

        Assert.That(Render("Current cluster status", view), Does.EndWith(Text(
            "    * fencer\t(stonith:fence_ipmilan):\t Started [ node2 node3 ]",
            "    * rsc1\t(lsb:rsc1):\t FAILED node2")));
    }

    [Test]
    public void Write_ShowsUnmanagedGroupWithBlockedMember()
    {
        // core/bug-5028-detach.summary
        var view = View([Online("bl460g6a"), Online("bl460g6b")],
            Group("dummy-g",
                Started("dummy01", "bl460g6a", "ocf:heartbeat:Dummy") with { Managed = false },
                Started("dummy02", "bl460g6a", "ocf:heartbeat:Dummy-stop-NG") with { Managed = false, Blocked = true, Failed = true })
            with { Managed = false });

        Assert.That(Render("Current cluster status", view), Does.EndWith(Text(
            "    * Resource Group: dummy-g (unmanaged):",
            "      * dummy01\t(ocf:heartbeat:Dummy):\t Started bl460g6a (unmanaged)",
            "      * dummy02\t(ocf:heartbeat:Dummy-stop-NG):\t FAILED bl460g6a (blocked)")));
    }

    [Test]
    public void Write_ShowsDisabledMember_InGroup()
    {
        // core/bug-1718.summary
        var view = View([Online("heartbeat.ds9")],
            Group("Web_Group",
                Started("Apache_IP", "heartbeat.ds9", "ocf:heartbeat:IPaddr"),
                Stopped("resource_IP2", "ocf:heartbeat:IPaddr") with { TargetRole = ResourceRole.Stopped },
                Stopped("resource_dummyweb", "ocf:heartbeat:Dummy")));

        Assert.That(Render("Current cluster status", view), Does.EndWith(Text(
            "    * Resource Group: Web_Group:",
            "      * Apache_IP\t(ocf:heartbeat:IPaddr):\t Started heartbeat.ds9",
            "      * resource_IP2\t(ocf:heartbeat:IPaddr):\t Stopped (disabled)",
            "      * resource_dummyweb\t(ocf:heartbeat:Dummy):\t Stopped")));
    }

    [Test]
    public void Write_CollapsesPromotableClone_IntoPromotedAndUnpromotedLists()
    {
        // tier2/novell-239087.summary
        var drbd = "ocf:linbit:drbd";
        var view = View([Online("xen-1"), Online("xen-2")],
            Started("fs_1", "xen-1", "ocf:heartbeat:Filesystem"),
            Clone("ms-drbd0",
                Rsc("drbd0:0", drbd, ResourceRole.Promoted, "xen-1"),
                Rsc("drbd0:1", drbd, ResourceRole.Unpromoted, "xen-2")) with { Promotable = true });

        Assert.That(Render("Revised Cluster Status", view), Does.EndWith(Text(
            "    * fs_1\t(ocf:heartbeat:Filesystem):\t Started xen-1",
            "    * Clone Set: ms-drbd0 [drbd0] (promotable):",
            "      * Promoted: [ xen-1 ]",
            "      * Unpromoted: [ xen-2 ]")));
    }

    [Test]
    public void Write_ListsEveryInstance_OfUniqueClone()
    {
        // core/bug-lf-2445.summary
        var view = View([Online("node1"), Online("node2")],
            Clone("C",
                Started("P:0", "node1", "ocf:pacemaker:Dummy"),
                Started("P:1", "node2", "ocf:pacemaker:Dummy")) with { Unique = true });

        Assert.That(Render("Revised Cluster Status", view), Does.EndWith(Text(
            "    * Clone Set: C [P] (unique):",
            "      * P:0\t(ocf:pacemaker:Dummy):\t Started node1",
            "      * P:1\t(ocf:pacemaker:Dummy):\t Started node2")));
    }

    [Test]
    public void Write_ShowsOrphanedGroupInstance_ThenStartedAndStoppedLists()
    {
        // core/cloned-group.summary
        var apache = "ocf:heartbeat:apache";
        var proxy = "lsb:mysql-proxy";
        var view = View([Online("webcluster01"), Offline("webcluster02")],
            Clone("apache2_clone",
                Group("grrr:0", Started("apache2:0", "webcluster01", apache), Started("mysql-proxy:0", "webcluster01", proxy)),
                Group("grrr:1", Stopped("apache2:1", apache), Stopped("mysql-proxy:1", proxy)),
                Group("grrr:2",
                    Started("apache2:2", "webcluster01", apache) with { Orphaned = true },
                    Started("mysql-proxy:2", "webcluster01", proxy) with { Orphaned = true })));

        Assert.That(Render("Current cluster status", view), Is.EqualTo(Text(
            "Current cluster status:",
            "  * Node List:",
            "    * Online: [ webcluster01 ]",
            "    * OFFLINE: [ webcluster02 ]",
            "",
            "  * Full List of Resources:",
            "    * Clone Set: apache2_clone [grrr]:",
            "      * Resource Group: grrr:2:",
            "        * apache2\t(ocf:heartbeat:apache):\t ORPHANED Started webcluster01",
            "        * mysql-proxy\t(lsb:mysql-proxy):\t ORPHANED Started webcluster01",
            "      * Started: [ webcluster01 ]",
            "      * Stopped: [ webcluster02 ]")));
    }

    [TestCase(true, "      * Stopped: [ node2 node3 ]")]
    [TestCase(false, "      * Stopped: [ node3 ]")]
    public void Write_StoppedList_DependsOnSymmetryAndHistory(bool symmetric, string expected)
    {
        var view = View([Online("node1"), Online("node2"), Online("node3")],
            Clone("c", Started("d:0", "node1"), Stopped("d:1"), Stopped("d:2")));
        var options = new StatusWriteOptions
        {
            SymmetricCluster = symmetric,
            KnownOn = new Dictionary<ResourceId, ImmutableArray<NodeName>>
            {
                [new ResourceId("c")] = [new NodeName("node3"), new NodeName("node1")],
            }.ToImmutableDictionary(),
        };

        Assert.That(Render("Current cluster status", view, options), Does.EndWith(Text(
            "    * Clone Set: c [d]:",
            "      * Started: [ node1 ]",
            expected)));
    }

    [Test]
    public void Write_MarksDisabledClone_InHeaderAndStoppedList()
    {
        var view = View([Online("node1"), Online("node2")],
            Clone("c", Stopped("d:0") with { TargetRole = ResourceRole.Stopped }, Stopped("d:1") with { TargetRole = ResourceRole.Stopped })
                with { Disabled = true });

        Assert.That(Render("Current cluster status", view), Does.EndWith(Text(
            "    * Clone Set: c [d] (disabled):",
            "      * Stopped (disabled): [ node1 node2 ]")));
    }

    [Test]
    public void Write_ShowsPendingStart_AsStarting()
    {
        var view = View([Online("node3")],
            Rsc("clone5rsc2", "ocf:pacemaker:Dummy", ResourceRole.Started, "node3") with { PendingTask = "start" });

        Assert.That(Render("Current cluster status", view), Does.EndWith(
            "    * clone5rsc2\t(ocf:pacemaker:Dummy):\t Starting node3\n"));
    }

    [Test]
    public void Write_SaysNoResources_WhenThereAreNone()
    {
        Assert.That(Render("Current cluster status", View([Online("n1")])), Does.EndWith(
            "  * Full List of Resources:\n    * No resources\n"));
    }

    [Test]
    public void CountInstances_CountsDisabledAndBlocked_IgnoringStoppedOrphans()
    {
        var view = View([Online("n1")],
            Stopped("a") with { Disabled = true },
            Started("b", "n1") with { Blocked = true },
            Stopped("gone") with { Orphaned = true },
            Clone("c", Started("d:0", "n1"), Stopped("d:1")));

        Assert.That(ClusterStatusWriter.CountInstances(view), Is.EqualTo((4, 1, 1)));
    }
}
