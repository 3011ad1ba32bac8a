using Microsoft.ML;
using MLNet.Adversarial.Data;
using MLNet.Adversarial.Trainers;

namespace MLNet.Adversarial.Tests.Trainers;

/// <summary>Small interaction sets with a planted two-group structure, and fast trainer options for tests.</summary>
internal static class TrainingFixtures
{
    /// <summary>Users 1..users like items of their own parity group; ids are offset so they are not indices.</summary>
    public static InteractionTable Interactions(int users = 60, int items = 40, int perUser = 8, int seed = 3)
    {
        var rng = new Random(seed);
        var u = new List<long>();
        var i = new List<long>();
        var r = new List<float>();
        for (int user = 0; user < users; user++)
        {
            var chosen = new HashSet<int>();
            while (chosen.Count < perUser)
            {
                int item = rng.Next(items / 2) * 2 + (user % 2 == 0 || rng.NextDouble() < 0.1 ? 0 : 1);
                chosen.Add(item);
            }
            foreach (var item in chosen)
            {
                u.Add(1000 + user);
                i.Add(5000 + item);
                r.Add(rng.NextDouble() < 0.8 ? 5f : 2f);
            }
        }
        return new InteractionTable(IdColumn.OfInt64(u.ToArray()), IdColumn.OfInt64(i.ToArray()), r.ToArray(), "fixture");
    }

    public static AprTrainer.Options FastOptions(int epochs = 5) => new()
    {
        EmbeddingDimension = 8,
        Epochs = epochs,
        BatchSize = 64,
        LearningRate = 0.05,
        // BPR's L2 for APR too: the fixtures' trajectories (early-stopping dips, resume cuts) were laid out with it.
        L2Regularization = FactorizationTrainerOptions.Defaults.L2Regularization,
        Seed = 7,
        Device = TrainingDevice.Cpu,
        AdversarialStartEpoch = 2,
        // A fixed schedule: these tests are about the epochs they ask for (the internal split and refit have their own tests).
        ValidationFraction = 0,
        UserColumnName = InteractionDataView.Columns.User,
        ItemColumnName = InteractionDataView.Columns.Item,
    };

    public static IDataView DataView(this InteractionTable table) => new InteractionDataView(table);
}
