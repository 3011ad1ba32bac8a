using MLNet.Adversarial.Trainers;

namespace MLNet.Adversarial.Tests.Trainers;

[TestClass]
public sealed class CatalogueSamplerTests
{
    [TestMethod]
    public void DrawsInProportionToTheWeightsAndNeverAZeroWeight()
    {
        var weights = new float[] { 0, 1, 0, 3, 0, 0, 4, 0 };
        var sampler = new CatalogueSampler(weights.Length);
        Assert.AreEqual(8.0, sampler.Prepare(weights), 1e-9);
        var rng = new Random(11);
        var counts = new int[weights.Length];
        const int draws = 80_000;
        for (int k = 0; k < draws; k++) counts[sampler.Draw(rng)]++;

        for (int i = 0; i < weights.Length; i++)
        {
            if (weights[i] == 0) Assert.AreEqual(0, counts[i], $"item {i} has weight 0");
            else Assert.AreEqual(weights[i] / 8.0, counts[i] / (double)draws, 0.01, $"item {i}");
        }
    }

    [TestMethod]
    public void APreparedTableIsReplacedByTheNextOne()
    {
        var sampler = new CatalogueSampler(3);
        sampler.Prepare([1, 0, 0]);
        sampler.Prepare([0, 0, 2]);
        var rng = new Random(1);
        for (int k = 0; k < 100; k++) Assert.AreEqual(2, sampler.Draw(rng));
    }
}
