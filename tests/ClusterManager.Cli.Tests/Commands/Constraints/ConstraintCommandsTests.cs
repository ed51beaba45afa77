using ClusterManager.Cli.Commands;
using ClusterManager.Cli.Commands.Constraints;

namespace ClusterManager.Cli.Tests.Commands.Constraints;

public class ConstraintCommandsTests
{
    private static ArgumentCursor Args(string line) => new(line.Split(' ', StringSplitOptions.RemoveEmptyEntries));

    [TestCase("HAProxy with VirtualIP INFINITY", null, "HAProxy", null, "VirtualIP", "INFINITY")]
    [TestCase("HAProxy with VirtualIP", null, "HAProxy", null, "VirtualIP", "INFINITY")]
    [TestCase("Promoted db with Started ip 100", "Promoted", "db", "Started", "ip", "100")]
    [TestCase("Master db with ip", "Promoted", "db", null, "ip", "INFINITY")]
    [TestCase("app with Promoted db-clone score=-INFINITY", null, "app", "Promoted", "db-clone", "-INFINITY")]
    [TestCase("app with db -- -100", null, "app", null, "db", "-100")]
    [TestCase("Started with Stopped", null, "Started", null, "Stopped", "INFINITY")]
    [TestCase("WebFS with WebData-clone INFINITY with-rsc-role=Master", null, "WebFS", "Promoted", "WebData-clone", "INFINITY")]
    [TestCase("vip with db-clone rsc-role=Started with-rsc-role=Promoted", "Started", "vip", "Promoted", "db-clone", "INFINITY")]
    [TestCase("azlb ag-master INFINITY with-rsc-role=Master", null, "azlb", "Promoted", "ag-master", "INFINITY")]
    [TestCase("a b", null, "a", null, "b", "INFINITY")]
    public void ParseColocation_ReadsRolesResourcesAndScore(string line, string? role, string resource, string? withRole, string withResource, string score)
    {
        var spec = ConstraintCommands.ParseColocation(Args(line), TextWriter.Null);

        Assert.That((spec.Role, spec.Resource, spec.WithRole, spec.WithResource, spec.Score), Is.EqualTo((role, resource, withRole, withResource, score)));
    }

    [Test]
    public void ParseColocation_ReadsOptionsAndId()
    {
        var spec = ConstraintCommands.ParseColocation(Args("a with b 50 node-attribute=rack influence=false id=my-col"), TextWriter.Null);

        Assert.That(spec.Id, Is.EqualTo("my-col"));
        Assert.That(spec.Options.Select(o => $"{o.Key}={o.Value}"), Is.EqualTo(new[] { "node-attribute=rack", "influence=false" }));
    }

    [Test]
    public void ParseColocation_WarnsAboutTheOlderForm_WithoutWith()
    {
        using var warnings = new StringWriter();

        ConstraintCommands.ParseColocation(Args("azlb ag-master INFINITY"), warnings);

        Assert.That(warnings.ToString(), Does.Contain("'colocation add SOURCE TARGET' is deprecated"));
    }

    [TestCase("a", "expected 'with'")]
    [TestCase("Promoted a b", "expected 'with'")]
    [TestCase("a with b with-rsc-role=Boss", "with-rsc-role 'Boss' is not a role")]
    [TestCase("a with", "missing target resource id")]
    [TestCase("a with a", "cannot be colocated with itself")]
    [TestCase("a with b lots", "invalid score 'lots'")]
    [TestCase("a with b 10 score=20", "the score is given twice")]
    [TestCase("a with b color=red", "invalid option 'color=red'")]
    [TestCase("a with b 10 extra", "unexpected argument 'extra'")]
    public void ParseColocation_RefusesMalformedCommands(string line, string message)
    {
        var error = Assert.Throws<UsageException>(() => ConstraintCommands.ParseColocation(Args(line), TextWriter.Null));

        Assert.That(error!.Message, Does.Contain(message));
    }

    [TestCase("VirtualIP then HAProxy", "start", "VirtualIP", "start", "HAProxy", "Mandatory")]
    [TestCase("promote db then start app kind=Optional", "promote", "db", "start", "app", "Optional")]
    [TestCase("stop a then b", "stop", "a", "start", "b", "Mandatory")]
    [TestCase("a then demote b kind=serialize", "start", "a", "demote", "b", "Serialize")]
    [TestCase("start then stop", "start", "start", "start", "stop", "Mandatory")]
    public void ParseOrder_ReadsActionsResourcesAndKind(string line, string firstAction, string first, string thenAction, string then, string kind)
    {
        var spec = ConstraintCommands.ParseOrder(Args(line));

        Assert.That((spec.FirstAction, spec.First, spec.ThenAction, spec.Then, spec.Kind), Is.EqualTo((firstAction, first, thenAction, then, kind)));
    }

    [Test]
    public void ParseOrder_NormalisesBooleanOptions()
    {
        var spec = ConstraintCommands.ParseOrder(Args("a then b symmetrical=no require-all=1 id=o1"));

        Assert.That(spec.Options.Select(o => $"{o.Key}={o.Value}"), Is.EqualTo(new[] { "symmetrical=false", "require-all=true" }));
        Assert.That(spec.Id, Is.EqualTo("o1"));
    }

    [TestCase("a b", "expected 'then'")]
    [TestCase("a then", "missing the resource id after 'then'")]
    [TestCase("a then a", "cannot be ordered after itself")]
    [TestCase("a then b kind=Sometimes", "'Sometimes' is not a valid kind value")]
    [TestCase("a then b symmetrical=maybe", "'maybe' is not a valid symmetrical value")]
    [TestCase("a then b flavour=x", "invalid option 'flavour=x'")]
    public void ParseOrder_RefusesMalformedCommands(string line, string message)
    {
        var error = Assert.Throws<UsageException>(() => ConstraintCommands.ParseOrder(Args(line)));

        Assert.That(error!.Message, Does.Contain(message));
    }
}
