extern alias clusterd;
using System.Xml.Linq;
using ClusterManager.Api.V1;
using ClusterManager.Cli.Commands;
using ClusterManager.Cli.Editing;
using ClusterManager.Model;
using Store = clusterd::ClusterManager.Daemon.Store;

namespace ClusterManager.Cli.Tests.Editing;

/// <summary>
/// The file backend's batches against clusterd's own store (StoreApplier.Check on the same configuration): the
/// same batches are refused with the same messages, and accepted ones give the same configuration.
/// </summary>
public sealed class CibChangeApplierTests
{
    private const string Base = """
        <cib validate-with="pacemaker-3.7" epoch="4" num_updates="0" admin_epoch="0">
          <configuration>
            <crm_config/>
            <nodes><node id="n1" uname="n1"/></nodes>
            <resources>
              <primitive id="VirtualIP" class="ocf" provider="heartbeat" type="IPaddr2">
                <instance_attributes id="VirtualIP-ia"><nvpair id="VirtualIP-ia-ip" name="ip" value="198.18.0.100"/></instance_attributes>
              </primitive>
              <primitive id="Web" class="ocf" provider="heartbeat" type="Dummy"/>
            </resources>
            <constraints>
              <rsc_order id="o1" first="VirtualIP" then="Web"/>
            </constraints>
          </configuration>
          <status/>
        </cib>
        """;

    private static readonly DateTimeOffset Now = DateTimeOffset.UnixEpoch;

    private static Change Resource(string xml, WriteMode mode) => Changes.PutResource(XElement.Parse(xml), mode);

    private static Change Constraint(string xml, WriteMode mode) => Changes.PutConstraint(XElement.Parse(xml), mode);

    private static Change Level(int index, string pattern, params string[] devices)
    {
        var spec = new FencingLevelSpec { Index = index, TargetPattern = pattern };
        spec.Devices.AddRange(devices);
        return new Change { AddFencingLevel = spec };
    }

    private static readonly object[] Batches =
    [
        new object[] { "create a primitive", new[] { Resource("<primitive id=\"Db\" class=\"ocf\" provider=\"heartbeat\" type=\"Dummy\"/>", WriteMode.Create) } },
        new object[] { "create an existing id", new[] { Resource("<primitive id=\"Web\" class=\"ocf\" provider=\"heartbeat\" type=\"Dummy\"/>", WriteMode.Create) } },
        new object[] { "replace a missing resource", new[] { Resource("<primitive id=\"Db\" class=\"ocf\" provider=\"heartbeat\" type=\"Dummy\"/>", WriteMode.Replace) } },
        new object[] { "group existing primitives", new[] { Changes.DeleteResource("Web"), Resource("<group id=\"g\"><primitive id=\"Web\" class=\"ocf\" provider=\"heartbeat\" type=\"Dummy\"/></group>", WriteMode.Create) } },
        new object[] { "a constraint naming a missing resource", new[] { Constraint("<rsc_colocation id=\"c1\" rsc=\"Missing\" with-rsc=\"Web\" score=\"INFINITY\"/>", WriteMode.Create) } },
        new object[] { "a constraint with a bad score", new[] { Constraint("<rsc_colocation id=\"c1\" rsc=\"Web\" with-rsc=\"VirtualIP\" score=\"often\"/>", WriteMode.Create) } },
        new object[] { "a resource deleted under its constraint", new[] { Changes.DeleteResource("Web") } },
        new object[] { "a resource deleted with its constraint", new[] { Changes.DeleteConstraint("o1"), Changes.DeleteResource("Web") } },
        new object[] { "a missing constraint deleted", new[] { Changes.DeleteConstraint("nope") } },
        new object[] { "two errors at once", new[] { Changes.DeleteConstraint("nope"), Changes.DeleteResource("nope") } },
        new object[] { "known properties", new[] { Changes.SetProperty("stonith-enabled", "false"), Changes.SetProperty("no-quorum-policy", "ignore") } },
        new object[] { "an unknown property", new[] { Changes.SetProperty("stonith-enabld", "false") } },
        new object[] { "an invalid property value", new[] { Changes.SetProperty("no-quorum-policy", "sometimes") } },
        new object[] { "defaults", new[] { Changes.SetResourceDefault("resource-stickiness", "100"), Changes.SetOperationDefault("timeout", "30s") } },
        new object[] { "node attributes, a new node", new[] { Changes.SetNodeAttribute("n1", "standby", "on"), Changes.SetNodeAttribute("n2", "rack", "2") } },
        new object[] { "a fencing level on a resource that is not a device", new[] { Level(1, "n.*", "Web") } },
        new object[] { "a device and its level in one batch", new[] { Resource("<primitive id=\"f1\" class=\"stonith\" type=\"fence_virsh\"/>", WriteMode.Create), Level(1, "n.*", "f1") } },
        new object[] { "a level beyond 9", new[] { Resource("<primitive id=\"f1\" class=\"stonith\" type=\"fence_virsh\"/>", WriteMode.Create), Level(10, "n.*", "f1") } },
    ];

    [TestCaseSource(nameof(Batches))]
    public void Apply_MatchesClusterdsStore_ForTheSameBatch(string name, Change[] changes)
    {
        var (current, _) = Store.CibFragments.ReadCib(Base);

        // clusterd's API refuses a fragment that does not parse before the store sees the batch (ProtoMapping.ToBatch).
        var parseErrors = changes.Select((c, i) => FragmentError(c) is { } e ? $"change {i + 1}: {e}" : null).OfType<string>().ToList();
        var (daemon, daemonErrors) = parseErrors.Count > 0
            ? (null, [.. parseErrors])
            : Store.StoreApplier.Check(current, [.. changes.Select(ToStore)]);
        var (file, fileErrors) = CibChangeApplier.Apply(XDocument.Parse(Base), changes, Now);

        Assert.That(fileErrors, Is.EqualTo(daemonErrors), name);
        Assert.That(file is null, Is.EqualTo(daemon is null), name);
        if (daemon is not null && file is not null)
        {
            var fromFile = CibChangeApplier.Read(file, Now);
            Assert.That(Store.CibFragments.WriteConfiguration(fromFile, 0), Is.EqualTo(Store.CibFragments.WriteConfiguration(daemon, 0)), name);
            Assert.That((string?)file.Root!.Attribute("epoch"), Is.EqualTo("5"));
        }
    }

    [Test]
    public void Apply_LeavesTheDocumentUntouched_WhenRefused()
    {
        var document = XDocument.Parse(Base);
        var before = document.ToString();

        var (result, errors) = CibChangeApplier.Apply(document, [Changes.DeleteResource("Web")], Now);

        Assert.That(result, Is.Null);
        Assert.That(errors, Is.Not.Empty);
        Assert.That(document.ToString(), Is.EqualTo(before));
    }

    private static string? FragmentError(Change change) => change.KindCase switch
    {
        Change.KindOneofCase.PutResource => Store.CibFragments.ParseResource(change.PutResource.Xml).Error is { } e ? $"put_resource: {e}" : null,
        Change.KindOneofCase.PutConstraint => Store.CibFragments.ParseConstraint(change.PutConstraint.Xml).Error is { } e ? $"put_constraint: {e}" : null,
        _ => null,
    };

    /// <summary>What clusterd's ProtoMapping makes of a change (the kinds these tests use).</summary>
    private static Store.ConfigChange ToStore(Change change) => change.KindCase switch
    {
        Change.KindOneofCase.PutResource => new Store.PutResource(Store.CibFragments.ParseResource(change.PutResource.Xml).Resource!, Mode(change.PutResource.Mode)),
        Change.KindOneofCase.PutConstraint => new Store.PutConstraint(Store.CibFragments.ParseConstraint(change.PutConstraint.Xml).Constraint!, Mode(change.PutConstraint.Mode)),
        Change.KindOneofCase.DeleteResource => new Store.DeleteResource(new ResourceId(change.DeleteResource)),
        Change.KindOneofCase.DeleteConstraint => new Store.DeleteConstraint(change.DeleteConstraint),
        Change.KindOneofCase.SetProperty => new Store.SetOption(Store.OptionScope.ClusterProperty, change.SetProperty.Name, change.SetProperty.HasValue ? change.SetProperty.Value : null),
        Change.KindOneofCase.SetResourceDefault => new Store.SetOption(Store.OptionScope.ResourceDefault, change.SetResourceDefault.Name, change.SetResourceDefault.Value),
        Change.KindOneofCase.SetOperationDefault => new Store.SetOption(Store.OptionScope.OperationDefault, change.SetOperationDefault.Name, change.SetOperationDefault.Value),
        Change.KindOneofCase.SetNodeAttribute => new Store.SetNodeAttribute(new NodeName(change.SetNodeAttribute.Node), change.SetNodeAttribute.Name, change.SetNodeAttribute.Value),
        Change.KindOneofCase.AddFencingLevel => new Store.AddFencingLevel(new Model.Configuration.FencingLevel(
            "", change.AddFencingLevel.Index, null, change.AddFencingLevel.TargetPattern, null, null,
            [.. change.AddFencingLevel.Devices.Select(d => new ResourceId(d))])),
        _ => throw new ArgumentException($"no mapping for {change.KindCase}"),
    };

    private static Store.WriteMode Mode(WriteMode mode) => mode switch
    {
        WriteMode.Create => Store.WriteMode.Create,
        WriteMode.Replace => Store.WriteMode.Replace,
        _ => Store.WriteMode.Upsert,
    };
}
