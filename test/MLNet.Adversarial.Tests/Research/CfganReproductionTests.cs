using MLNet.Adversarial.Research.Commands;
using MLNet.Adversarial.Trainers;

namespace MLNet.Adversarial.Tests.Research;

/// <summary>The CFGAN reproduction's named configurations and its validation grid (run by <c>mlnet-adv-research reproduce --protocol cfgan</c>).</summary>
[TestClass]
public sealed class CfganReproductionTests
{
    [TestMethod]
    public void ReproductionConfigurationsAndGridEntriesAreValidAndDistinct()
    {
        foreach (var name in CfganReproduction.Configurations)
            CfganReproduction.Configuration(name).Validate();
        var seen = new HashSet<string>();
        foreach (var (name, baseName, configure) in CfganReproduction.Grid())
        {
            var options = CfganReproduction.Configuration(baseName);
            configure(options);
            options.Validate();
            var settings = string.Join(";", typeof(CfganTrainer.Options).GetProperties()
                .Where(p => p.PropertyType.IsValueType && p.Name != nameof(options.Epochs)).Select(p => $"{p.Name}={p.GetValue(options)}"));
            Assert.IsTrue(seen.Add(settings), $"grid entry '{name}' repeats another entry's settings");
        }
        Assert.AreEqual(0.5, CfganReproduction.Configuration("item-based").ConditionDropout, "the chosen item-based configuration");
    }
}
