using System.Collections.Immutable;
using ClusterManager.Cli.Output;
using ClusterManager.Model;
using ClusterManager.Policy;
using static ClusterManager.Cli.Tests.Support.Views;

namespace ClusterManager.Cli.Tests.Output;

// Expected lines are copied from tests/conformance/pacemaker-2.1.5/*/*.summary ("Transition Summary").
public class TransitionSummaryWriterTests
{
    private static string[] Lines(params ResourceChange[] changes) =>
        [.. TransitionSummaryWriter.Lines([.. changes], [])];

    [Test]
    public void Lines_MatchCrmSimulate_ForStartAndStop()
    {
        // core/simple6.summary
        Assert.That(Lines(
                Change(ChangeKind.Start, "rsc2", null, "node1"),
                Change(ChangeKind.Stop, "rsc1", "node1", null, reason: "node availability")),
            Is.EqualTo(new[]
            {
                "  * Start      rsc2    ( node1 )",
                "  * Stop       rsc1    ( node1 )  due to node availability",
            }));
    }

    [Test]
    public void Lines_PadShortDetails_ToTheFiveCharacterMinimum()
    {
        // core/1484.summary
        Assert.That(Lines(Change(ChangeKind.Stop, "the-future-of-vaj", "hb2", null, reason: "node availability")),
            Is.EqualTo(new[] { "  * Stop       the-future-of-vaj     (   hb2 )  due to node availability" }));
    }

    [Test]
    public void Lines_UseFinalWidths_ForEveryLine()
    {
        // core/bug-n-387749.summary: the id column grows to len+2 when an id is longer, details align right.
        Assert.That(Lines(
                Change(ChangeKind.Start, "export_home_ocfs2:0", null, "power720-1"),
                Change(ChangeKind.Move, "resource_ipaddr1_single", "power720-2", "power720-1"),
                Change(ChangeKind.Move, "resource_nfsserver_single", "power720-2", "power720-1")),
            Is.EqualTo(new[]
            {
                "  * Start      export_home_ocfs2:0         (               power720-1 )",
                "  * Move       resource_ipaddr1_single     ( power720-2 -> power720-1 )",
                "  * Move       resource_nfsserver_single   ( power720-2 -> power720-1 )",
            }));
    }

    [Test]
    public void Lines_ShowRolesAndBlockedReasons_ForPromotableInstances()
    {
        // tier2/promoted-with-blocked.summary (its Start lines are the one summary of 396 whose details width
        // crm_simulate's logging pass left at 23 instead of the widest line's 25, so only the Promote line is used)
        Assert.That(Lines(
                Change(ChangeKind.Promote, "rsc2:4", null, "node2", ResourceRole.Stopped, ResourceRole.Promoted,
                    reason: "colocation with rsc1", blocked: true)),
            Is.EqualTo(new[]
            {
                "  * Promote    rsc2:4     ( Stopped -> Promoted node2 )  due to colocation with rsc1 (blocked)",
            }));
    }

    [TestCase(ChangeKind.Move, "18node2", "18node3", ResourceRole.Promoted, ResourceRole.Started,
        "  * Move       dummystateful     ( Promoted 18node2 -> Started 18node3 )")] // core/bug-rh-880249
    [TestCase(ChangeKind.Demote, "sle12sp2-1", "sle12sp2-1", ResourceRole.Promoted, ResourceRole.Unpromoted,
        "  * Demote     dummystateful     ( Promoted -> Unpromoted sle12sp2-1 )")]
    [TestCase(ChangeKind.Stop, "process1a", null, ResourceRole.Promoted, ResourceRole.Stopped,
        "  * Stop       dummystateful     ( Promoted process1a )")]
    [TestCase(ChangeKind.Recover, "n1", null, ResourceRole.Started, ResourceRole.Started,
        "  * Recover    dummystateful     (    n1 )")]
    [TestCase(ChangeKind.Recover, "ih02", "ih01", ResourceRole.Started, ResourceRole.Started,
        "  * Recover    dummystateful     ( ih02 -> ih01 )")]
    [TestCase(ChangeKind.RePromote, "n1", "n1", ResourceRole.Promoted, ResourceRole.Promoted,
        "  * Re-promote   dummystateful     ( Promoted n1 )")]
    [TestCase(ChangeKind.Restart, "n1", "n1", null, null,
        "  * Restart    dummystateful     (    n1 )")]
    [TestCase(ChangeKind.Migrate, "xen-a", "xen-b", null, null,
        "  * Migrate    dummystateful     ( xen-a -> xen-b )")]
    public void Lines_FollowRscActionItemBranches(
        ChangeKind kind, string? from, string? to, ResourceRole? fromRole, ResourceRole? toRole, string expected)
    {
        Assert.That(Lines(Change(kind, "dummystateful", from, to, fromRole, toRole)), Is.EqualTo(new[] { expected }));
    }

    [Test]
    public void Lines_WriteFenceLines_WithTheFenceActionOfThePlan()
    {
        // core/multiply-active-stonith.summary and a Fence (on) line from the corpus
        var actions = ImmutableArray.Create(
            new PlannedAction(1, ActionKind.Fence, "stonith-virt-1-on", null, new NodeName("virt-1"), TimeSpan.Zero, true, "on", null, []));
        var lines = TransitionSummaryWriter.Lines(
            [
                Change(ChangeKind.Fence, "node2", null, "node2", reason: "rsc1 failed there"),
                Change(ChangeKind.Fence, "virt-1", null, "virt-1", reason: "Device definition changed"),
                Change(ChangeKind.Stop, "rsc1", "node2", null, reason: "node availability"),
            ],
            actions);

        Assert.That(lines, Is.EqualTo(new[]
        {
            "  * Fence (reboot) node2 'rsc1 failed there'",
            "  * Fence (on) virt-1 'Device definition changed'",
            "  * Stop       rsc1    ( node2 )  due to node availability",
        }));
    }

    [Test]
    public void Lines_OmitFence_WithoutReason()
    {
        Assert.That(Lines(Change(ChangeKind.Fence, "node2", null, "node2")), Is.Empty);
    }

    [Test]
    public void Lines_SayBlocked_WithoutReason()
    {
        Assert.That(Lines(Change(ChangeKind.Start, "rsc1", null, "node1", blocked: true)),
            Is.EqualTo(new[] { "  * Start      rsc1    ( node1 )  blocked" }));
    }

    [Test]
    public void Write_PrintsHeaderOnly_ForEmptySummary()
    {
        using var writer = new StringWriter();
        TransitionSummaryWriter.Write(writer, Transition(View([]), View([])));

        Assert.That(writer.ToString(), Is.EqualTo("Transition Summary:\n"));
    }
}
