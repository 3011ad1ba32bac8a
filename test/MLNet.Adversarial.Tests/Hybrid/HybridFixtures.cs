using MLNet.Adversarial.Data;
using MLNet.Adversarial.Text;
using MLNet.Adversarial.Trainers;

namespace MLNet.Adversarial.Tests.Hybrid;

/// <summary>
/// Synthetic data whose preferences follow the item text: every item belongs to one of <see cref="Topics"/> topics,
/// its "text embedding" is its topic's direction plus noise, and each user likes items of one topic. Item ids are
/// 5000 + index, user ids 1000 + index.
/// </summary>
internal static class HybridFixtures
{
    public const int Topics = 4, TextDimension = 12;

    /// <summary>The topic of item index <paramref name="item"/>.</summary>
    public static int TopicOf(int item) => item % Topics;

    public static long ItemId(int item) => 5000 + item;

    /// <summary>Users 0..users-1 like <paramref name="perUser"/> items of topic (user mod Topics); 10% of the likes are off-topic.</summary>
    public static InteractionTable Interactions(int users = 80, int items = 60, int perUser = 8, int seed = 11)
    {
        var rng = new Random(seed);
        var u = new List<long>();
        var i = new List<long>();
        for (int user = 0; user < users; user++)
        {
            var chosen = new HashSet<int>();
            while (chosen.Count < perUser)
            {
                int topic = rng.NextDouble() < 0.9 ? user % Topics : rng.Next(Topics);
                chosen.Add(rng.Next(items / Topics) * Topics + topic);
            }
            foreach (var item in chosen)
            {
                u.Add(1000 + user);
                i.Add(ItemId(item));
            }
        }
        return new InteractionTable(IdColumn.OfInt64(u.ToArray()), IdColumn.OfInt64(i.ToArray()), null, "hybrid fixture");
    }

    /// <summary>A unit-length embedding per item: its topic's axis plus Gaussian noise (the other axes are noise only).</summary>
    public static TextFeatures ItemText(int items = 60, int seed = 5, double noise = 0.3)
    {
        var rng = new Random(seed);
        var ids = new List<string>();
        var embeddings = new List<float[]>();
        for (int item = 0; item < items; item++)
        {
            var e = new float[TextDimension];
            e[TopicOf(item)] = 1;
            for (int k = 0; k < TextDimension; k++) e[k] += (float)(noise * Gaussian(rng));
            float norm = MathF.Sqrt(e.Sum(v => v * v));
            ids.Add(ItemId(item).ToString(System.Globalization.CultureInfo.InvariantCulture));
            embeddings.Add(e.Select(v => v / norm).ToArray());
        }
        return new TextFeatures(ids, embeddings, "fixture text");
    }

    /// <summary>The embedding a new item of <paramref name="topic"/> would have (no noise).</summary>
    public static float[] TopicEmbedding(int topic)
    {
        var e = new float[TextDimension];
        e[topic] = 1;
        return e;
    }

    private static double Gaussian(Random rng) => Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble());

    public static AprTrainer.Options Options(TextFeatures? itemText, int epochs = 30, double adversarialWeight = 0) => new()
    {
        EmbeddingDimension = 8,
        Epochs = epochs,
        BatchSize = 64,
        LearningRate = 0.03,
        L2Regularization = 0.01,
        Seed = 7,
        Device = TrainingDevice.Cpu,
        AdversarialWeight = adversarialWeight,
        AdversarialStartEpoch = epochs / 2,
        ValidationFraction = 0, // a fixed schedule: the internal split has its own tests
        ItemText = itemText,
        UserColumnName = InteractionDataView.Columns.User,
        ItemColumnName = InteractionDataView.Columns.Item,
    };
}
