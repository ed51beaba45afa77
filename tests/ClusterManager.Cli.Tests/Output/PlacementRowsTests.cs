using ClusterManager.Cli.Output;
using ClusterManager.Model;
using ClusterManager.Policy;
using static ClusterManager.Cli.Tests.Support.Views;

namespace ClusterManager.Cli.Tests.Output;

// Expected rows are those of tests/conformance/tools/placement_of.py on the equivalent summary text.
public class PlacementRowsTests
{
    private static string[] Rows(ClusterView view) =>
        [.. PlacementRows.From(view).Select(r => r.ToText())];

    [Test]
    public void From_KeysPrimitivesAndGroupMembers_ById()
    {
        var view = View([Online("node1")],
            Stopped("rsc2"),
            Started("rsc1", "node1"),
            Group("g", Started("m1", "node1"), Stopped("m2") with { TargetRole = ResourceRole.Stopped }));

        Assert.That(Rows(view), Is.EqualTo(new[]
        {
            "m1\tStarted\tnode1\t-",
            "m2\tStopped\t-\tdisabled",
            "rsc1\tStarted\tnode1\t-",
            "rsc2\tStopped\t-\t-",
        }));
    }

    [Test]
    public void From_GivesFailedRows_TheRoleTheyFailIn()
    {
        var view = View([Online("node1"), Online("node2")],
            Started("a", "node2") with { Failed = true },
            Stopped("b") with { Failed = true },
            Rsc("c", "ocf:heartbeat:apache", ResourceRole.Started, "node1", "node2"),
            Clone("ms", Rsc("s:0", "ocf:pacemaker:Stateful", ResourceRole.Started, "node1") with { Failed = true },
                Rsc("s:1", "ocf:pacemaker:Stateful", ResourceRole.Promoted, "node2")) with { Promotable = true });

        Assert.That(Rows(view), Is.EqualTo(new[]
        {
            "a\tStarted\tnode2\tfailed",
            "b\tStopped\t-\tfailed",
            "c\tStarted\tnode1\t-",
            "c\tStarted\tnode2\t-",
            "ms/s\tUnpromoted\tnode1\tfailed",
            "ms/s\tPromoted\tnode2\t-",
        }));
    }

    [Test]
    public void From_KeysAnonymousCloneInstancesByCloneAndChild_OmittingStopped()
    {
        // core/cloned-group.summary, current status
        var view = View([Online("webcluster01"), Offline("webcluster02")],
            Clone("apache2_clone",
                Group("grrr:0", Started("apache2:0", "webcluster01"), Started("mysql-proxy:0", "webcluster01", "lsb:mysql-proxy")),
                Group("grrr:1", Stopped("apache2:1"), Stopped("mysql-proxy:1", "lsb:mysql-proxy")),
                Group("grrr:2",
                    Started("apache2:2", "webcluster01") with { Orphaned = true },
                    Stopped("mysql-proxy:2", "lsb:mysql-proxy") with { Orphaned = true })));

        Assert.That(Rows(view), Is.EqualTo(new[]
        {
            "apache2_clone/grrr\tStarted\twebcluster01\t-",
            "apache2_clone/grrr/apache2\tStarted\twebcluster01\torphaned",
        }));
    }

    [Test]
    public void From_KeepsInstanceNumbers_OfUniqueClones()
    {
        var view = View([Online("node1"), Online("node2")],
            Clone("C", Started("P:0", "node1"), Stopped("P:1")) with { Unique = true });

        Assert.That(Rows(view), Is.EqualTo(new[] { "P:0\tStarted\tnode1\t-", "P:1\tStopped\t-\t-" }));
    }
}
