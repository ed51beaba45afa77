using ClusterManager.Cib;
using ClusterManager.Model.Status;

namespace ClusterManager.Policy.Tests.Scheduling;

/// <summary>
/// Agent reloads: a running resource whose history says its agent can reload (op-restart-digest) is reloaded when
/// only parameters outside op-force-restart changed, and restarted when one inside it did.
/// </summary>
public sealed class ReloadTests
{
    private static readonly DateTimeOffset Now = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    // The start was recorded with state=/run/a and fake=old; "  state  " needs a restart (ocf:pacemaker:Dummy).
    private static string Cib(string state, string fake, string? restartDigest = "recorded", string startOpExtra = "")
    {
        var recorded = new Dictionary<string, string> { ["state"] = "/run/a", ["fake"] = "old" };
        var digest = ParameterDigest.Compute(recorded);
        var (forceRestart, restart) = ParameterDigest.Restart(["state"], recorded);
        var restartAttributes = restartDigest is null ? "" : $" op-force-restart=\"{forceRestart}\" op-restart-digest=\"{restart}\"";
        return $"""
            <cib epoch="1" num_updates="0" admin_epoch="0" have-quorum="1">
              <configuration>
                <crm_config><cluster_property_set id="o"><nvpair id="o1" name="stonith-enabled" value="false"/></cluster_property_set></crm_config>
                <nodes><node id="1" uname="n1"/></nodes>
                <resources>
                  <primitive id="d" class="ocf" provider="pacemaker" type="Dummy">
                    <instance_attributes id="d-ia">
                      <nvpair id="d-state" name="state" value="{state}"/>
                      <nvpair id="d-fake" name="fake" value="{fake}"/>
                    </instance_attributes>
                    <operations>
                      <op id="d-start" name="start" interval="0" timeout="20s">{startOpExtra}</op>
                      <op id="d-reload" name="reload-agent" interval="0" timeout="42s"/>
                    </operations>
                  </primitive>
                </resources>
                <constraints/>
              </configuration>
              <status>
                <node_state id="1" uname="n1" in_ccm="true" crmd="online" join="member" expected="member">
                  <lrm id="1"><lrm_resources>
                    <lrm_resource id="d" class="ocf" provider="pacemaker" type="Dummy">
                      <lrm_rsc_op id="d_last_0" operation_key="d_start_0" operation="start" call-id="3" rc-code="0" op-status="0" interval="0"
                        transition-key="1:1:0:x" op-digest="{digest}"{restartAttributes}/>
                    </lrm_resource>
                  </lrm_resources></lrm>
                </node_state>
              </status>
            </cib>
            """;
    }

    private static Transition Compute(string cib) => PolicyEngine.Compute(CibReader.Parse(cib, Now).Snapshot);

    private static IEnumerable<ActionKind> Work(Transition t) =>
        t.Actions.Where(a => a.Runnable && a.Kind != ActionKind.Pseudo).Select(a => a.Kind);

    [Test]
    public void Compute_ReloadsWithStartsParameters_WhenOnlyReloadableParameterChanged()
    {
        var transition = Compute(Cib("/run/a", "new"));

        var reload = transition.Actions.Single(a => a.Kind == ActionKind.Reload);
        Assert.That(Work(transition), Is.EqualTo(new[] { ActionKind.Reload }));
        Assert.That(reload.Detail!.Parameters["fake"], Is.EqualTo("new"));
        Assert.That(reload.Detail.Digest, Is.EqualTo(ParameterDigest.Compute(new Dictionary<string, string> { ["state"] = "/run/a", ["fake"] = "new" })));
        Assert.That(reload.Detail.Timeout, Is.EqualTo(TimeSpan.FromSeconds(42)));
        Assert.That(transition.Changes.Single().Kind, Is.EqualTo(ChangeKind.Reload));
    }

    [Test]
    public void Compute_Restarts_WhenParameterOutsideReloadChanged()
    {
        var transition = Compute(Cib("/run/b", "old"));

        Assert.That(Work(transition), Is.EquivalentTo(new[] { ActionKind.Stop, ActionKind.Start }));
        Assert.That(transition.Changes.Single(), Has.Property("Kind").EqualTo(ChangeKind.Restart).And.Property("Reason").EqualTo("resource definition change"));
    }

    [Test]
    public void Compute_Restarts_WhenAgentCannotReload()
    {
        var transition = Compute(Cib("/run/a", "new", restartDigest: null));

        Assert.That(Work(transition), Is.EquivalentTo(new[] { ActionKind.Stop, ActionKind.Start }));
    }

    [Test]
    public void Compute_Restarts_WhenStartHasParametersOfItsOwn()
    {
        // pe_digest.c: a one-off operation with its own parameters is restarted so that they are applied too.
        var extra = """<instance_attributes id="d-start-ia"><nvpair id="d-start-t" name="trace_ra" value="1"/></instance_attributes>""";

        var transition = Compute(Cib("/run/a", "new", startOpExtra: extra));

        Assert.That(Work(transition), Is.EquivalentTo(new[] { ActionKind.Stop, ActionKind.Start }));
    }

    [Test]
    public void Compute_DoesNothing_WhenParametersUnchanged()
    {
        Assert.That(Work(Compute(Cib("/run/a", "old"))), Is.Empty);
    }

    [Test]
    public void Restart_ListsNamesInPacemakersLayout_AndDigestsOnlyThem()
    {
        var given = new Dictionary<string, string> { ["state"] = "/run/a", ["fake"] = "x" };

        var (list, digest) = ParameterDigest.Restart(["envfile", "state"], given);

        Assert.That(list, Is.EqualTo("  envfile state  "));
        Assert.That(digest, Is.EqualTo(ParameterDigest.Compute(new Dictionary<string, string> { ["state"] = "/run/a" })));
        Assert.That(ParameterDigest.RestartNames(list), Is.EquivalentTo(new[] { "envfile", "state" }));
    }
}
