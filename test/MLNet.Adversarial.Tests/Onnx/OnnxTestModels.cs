using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using MLNet.Adversarial.Data;
using MLNet.Adversarial.Models;
using MLNet.Adversarial.Onnx;

namespace MLNet.Adversarial.Tests.Onnx;

/// <summary>Seeded random factorisation models and training data, and CPU-only ONNX Runtime helpers.</summary>
internal static class OnnxTestModels
{
    public const int Users = 13, Items = 21, Dimension = 6;

    /// <summary>Ids that are not in the vocabularies built by <see cref="Vocabulary"/>.</summary>
    public static readonly long[] UnknownInt64 = [-5, 7, 999_999];
    public static readonly string[] UnknownStrings = ["", "nobody", "u-000"];

    /// <summary>Sparse, unsorted-looking raw ids (multiples of 10 plus an offset), or text ids.</summary>
    public static IdVocabulary Vocabulary(IdKind kind, string prefix, int count) => kind == IdKind.Int64
        ? IdVocabulary.FromInt64(Enumerable.Range(0, count).Select(i => 100L + 10 * i))
        : IdVocabulary.FromStrings(Enumerable.Range(0, count).Select(i => $"{prefix}-{i * 7 % 101:000}"));

    public static FactorizationModel RandomModel(IdKind kind, int seed = 42, int users = Users, int items = Items, int d = Dimension)
    {
        var rng = new Random(seed);
        float[] Draw(int n) => Enumerable.Range(0, n).Select(_ => (float)(rng.NextDouble() * 2 - 1)).ToArray();
        return new FactorizationModel(Vocabulary(kind, "u", users), Vocabulary(kind, "i", items), d,
            Draw(users * d), Draw(items * d), Draw(items));
    }

    /// <summary>About a third of all pairs as positives; user 0 has every item but two, user 1 and the last user have none.</summary>
    public static InteractionData RandomTraining(FactorizationModel model, int seed = 7)
    {
        var rng = new Random(seed);
        var u = new List<int>();
        var i = new List<int>();
        for (int user = 0; user < model.Users.Count; user++)
            for (int item = 0; item < model.Items.Count; item++)
                if (user == 0 ? item >= 2 : rng.NextDouble() < 0.33 && user != 1 && user != model.Users.Count - 1) { u.Add(user); i.Add(item); }
        return InteractionData.FromIndices(model.Users, model.Items, u.ToArray(), i.ToArray());
    }

    /// <summary>
    /// The reference top <paramref name="k"/> of <paramref name="user"/> (-1: unknown, no exclusions): items by descending
    /// score, ties by the lower index; items of the user in <paramref name="exclude"/> score -inf.
    /// </summary>
    public static (int Item, float Score)[] ReferenceTopK(IRecommenderModel model, int user, InteractionData? exclude, int k)
    {
        var scores = new float[model.Items.Count];
        model.ScoreAllItems(user, scores);
        return Enumerable.Range(0, scores.Length)
            .Select(i => (Item: i, Score: user >= 0 && exclude?.Contains(user, i) == true ? float.NegativeInfinity : scores[i]))
            .OrderByDescending(p => p.Score).ThenBy(p => p.Item)
            .Take(k).ToArray();
    }

    public static InferenceSession Session(byte[] model)
    {
        using var options = new SessionOptions(); // plain CPU: never ask for the CUDA provider
        return new InferenceSession(model, options);
    }

    /// <summary>Raw ids of one side: every known id followed by the unknown ones.</summary>
    public static (long[]? Ints, string[]? Strings) KnownAndUnknownIds(IdVocabulary v) => v.Kind == IdKind.Int64
        ? ([.. v.Int64Ids, .. UnknownInt64], null)
        : (null, [.. v.StringIds, .. UnknownStrings]);

    /// <summary>An id input of shape [N] or [N,1].</summary>
    public static NamedOnnxValue IdInput(string name, long[]? ints, string[]? strings, bool column)
    {
        int n = ints?.Length ?? strings!.Length;
        int[] shape = column ? [n, 1] : [n];
        return ints is not null
            ? NamedOnnxValue.CreateFromTensor(name, new DenseTensor<long>(ints, shape))
            : NamedOnnxValue.CreateFromTensor(name, new DenseTensor<string>(strings!, shape));
    }

    /// <summary>The index of a raw id (boxed long or string) in <paramref name="v"/>, -1 when unknown.</summary>
    public static int IndexOf(IdVocabulary v, long[]? ints, string[]? strings, int row) =>
        ints is not null ? v.IndexOf(ints[row]) : v.IndexOf(strings![row]);

    public static OnnxExportOptions Options(InteractionData? training = null) => new()
    {
        ModelKind = "bpr-mf",
        HyperParameters = new Dictionary<string, string> { ["lr"] = "0.05", ["epochs"] = "20", ["reg"] = "0.01" },
        TrainingData = training,
    };
}
