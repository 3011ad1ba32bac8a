using MLNet.Adversarial.Data;
using MLNet.Adversarial.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace MLNet.Adversarial.Evaluation;

/// <summary>
/// Audits user embeddings for a sensitive attribute: post-hoc attackers — logistic regression and a one-hidden-layer
/// MLP — are trained on the frozen embeddings with stratified k-fold cross-validation and scored on the held-out fold:
/// ROC-AUC for binary attributes (rank-based, ties averaged) and balanced accuracy for every attribute. Features are
/// standardised on each training fold; both attackers use class-balanced cross-entropy, L2 weight decay and
/// full-batch Adam. Deterministic for a seed (own initialisation stream, one libtorch thread).
/// </summary>
public sealed class PrivacyEvaluator
{
    /// <summary>Name of the logistic-regression attacker.</summary>
    public const string LogisticRegression = "logistic-regression";

    /// <summary>Name of the MLP attacker.</summary>
    public const string Mlp = "mlp";

    /// <summary>Options of <see cref="PrivacyEvaluator"/>.</summary>
    public sealed class Options
    {
        /// <summary>Cross-validation folds (stratified).</summary>
        public int Folds { get; set; } = 5;
        /// <summary>Seed of the fold assignment and the attackers' initialisation.</summary>
        public int Seed { get; set; }
        /// <summary>Hidden units of the MLP attacker (ReLU).</summary>
        public int MlpHiddenSize { get; set; } = 64;
        /// <summary>Full-batch Adam iterations per attacker and fold.</summary>
        public int Iterations { get; set; } = 300;
        /// <summary>Adam learning rate.</summary>
        public double LearningRate { get; set; } = 0.01;
        /// <summary>L2 weight decay of logistic regression (on standardised features).</summary>
        public double LogisticL2 { get; set; } = 1e-2;
        /// <summary>L2 weight decay of the MLP.</summary>
        public double MlpL2 { get; set; } = 1e-2;
    }

    private readonly Options _o;

    /// <summary>Creates an evaluator.</summary>
    /// <exception cref="ArgumentException">An option is out of range.</exception>
    public PrivacyEvaluator(Options? options = null)
    {
        _o = options ?? new Options();
        if (_o.Folds < 2) throw new ArgumentException("Folds must be at least 2.", nameof(options));
        if (_o.MlpHiddenSize <= 0) throw new ArgumentException("MlpHiddenSize must be positive.", nameof(options));
        if (_o.Iterations <= 0) throw new ArgumentException("Iterations must be positive.", nameof(options));
        if (!(_o.LearningRate > 0) || !(_o.LogisticL2 >= 0) || !(_o.MlpL2 >= 0)) throw new ArgumentException("LearningRate must be positive and the L2 weights non-negative.", nameof(options));
    }

    /// <summary>Audits the user embeddings of <paramref name="model"/>.</summary>
    public PrivacyResult Evaluate(FactorizationModel model, SensitiveAttributes attributes)
    {
        ArgumentNullException.ThrowIfNull(model);
        return Evaluate(model.Users, model.UserFactors, model.Dimension, attributes);
    }

    /// <summary>Audits user embeddings read from an exported ONNX file (<see cref="Onnx.OnnxUserTable"/>).</summary>
    public PrivacyResult Evaluate(Onnx.OnnxUserTable table, SensitiveAttributes attributes)
    {
        ArgumentNullException.ThrowIfNull(table);
        return Evaluate(table.Users, table.Factors, table.Dimension, attributes);
    }

    /// <summary>
    /// Audits the row-major user embeddings <paramref name="vectors"/> [users.Count, dimension]. Users without a class
    /// in <paramref name="attributes"/> are left out; every class needs at least <see cref="Options.Folds"/> users.
    /// </summary>
    public PrivacyResult Evaluate(IdVocabulary users, ReadOnlySpan<float> vectors, int dimension, SensitiveAttributes attributes)
    {
        ArgumentNullException.ThrowIfNull(users);
        ArgumentNullException.ThrowIfNull(attributes);
        if (dimension <= 0 || vectors.Length != users.Count * dimension)
            throw new ArgumentException($"Expected {users.Count}×{dimension} user factors, got {vectors.Length} values.", nameof(vectors));
        var all = attributes.LabelsFor(users);
        var rows = Enumerable.Range(0, users.Count).Where(u => all[u] >= 0).ToArray();
        int n = rows.Length, k = attributes.ClassCount;
        var x = new float[n * dimension];
        var y = new int[n];
        for (int r = 0; r < n; r++)
        {
            vectors.Slice(rows[r] * dimension, dimension).CopyTo(x.AsSpan(r * dimension, dimension));
            y[r] = all[rows[r]];
        }
        var counts = new int[k];
        foreach (var c in y) counts[c]++;
        for (int c = 0; c < k; c++)
            if (counts[c] < _o.Folds)
                throw new InvalidOperationException($"Class '{attributes.ClassNames[c]}' of {attributes.Name} has {counts[c]} user(s) with an embedding; {_o.Folds}-fold cross-validation needs at least {_o.Folds}.");

        var folds = StratifiedFolds(y, k, _o.Folds, _o.Seed);
        int previousThreads = torch.get_num_threads();
        torch.set_num_threads(1);
        try
        {
            var attackers = new[] { (LogisticRegression, 0, _o.LogisticL2), (Mlp, _o.MlpHiddenSize, _o.MlpL2) }
                .Select(a => CrossValidate(a.Item1, a.Item2, a.Item3, x, y, dimension, k, folds))
                .ToArray();
            return new PrivacyResult(attributes.Name, attributes.ClassNames, counts, _o.Folds, attackers);
        }
        finally
        {
            torch.set_num_threads(previousThreads);
        }
    }

    /// <summary>Fold index of every row: each class's rows are shuffled (seeded) and dealt round-robin.</summary>
    internal static int[] StratifiedFolds(int[] y, int classes, int folds, int seed)
    {
        var fold = new int[y.Length];
        var rng = new Random(seed);
        int offset = 0;
        for (int c = 0; c < classes; c++)
        {
            var members = Enumerable.Range(0, y.Length).Where(r => y[r] == c).ToArray();
            rng.Shuffle(members);
            // Continue the deal where the previous class stopped, so fold sizes differ by at most one overall.
            for (int m = 0; m < members.Length; m++) fold[members[m]] = (offset + m) % folds;
            offset = (offset + members.Length) % folds;
        }
        return fold;
    }

    private AttackerResult CrossValidate(string name, int hidden, double l2, float[] x, int[] y, int d, int k, int[] fold)
    {
        double auc = 0, balanced = 0, accuracy = 0;
        for (int f = 0; f < _o.Folds; f++)
        {
            var trainRows = Enumerable.Range(0, y.Length).Where(r => fold[r] != f).ToArray();
            var testRows = Enumerable.Range(0, y.Length).Where(r => fold[r] == f).ToArray();
            var probabilities = FitPredict(x, y, d, k, trainRows, testRows, hidden, l2, unchecked(_o.Seed * 31 + f * 7 + hidden));
            var truth = testRows.Select(r => y[r]).ToArray();
            if (k == 2) auc += RocAuc(probabilities.Select(p => p[1]).ToArray(), truth);
            var predicted = probabilities.Select(p => Array.IndexOf(p, p.Max())).ToArray();
            balanced += BalancedAccuracy(predicted, truth, k);
            accuracy += predicted.Zip(truth).Count(t => t.First == t.Second) / (double)truth.Length;
        }
        return new AttackerResult(name, k == 2 ? auc / _o.Folds : null, balanced / _o.Folds, accuracy / _o.Folds);
    }

    /// <summary>Trains one attacker on <paramref name="trainRows"/> and returns class probabilities for <paramref name="testRows"/>.</summary>
    private double[][] FitPredict(float[] x, int[] y, int d, int k, int[] trainRows, int[] testRows, int hidden, double l2, int seed)
    {
        using var scope = torch.NewDisposeScope();
        // Standardise with the training fold's statistics.
        var mean = new double[d];
        var std = new double[d];
        foreach (var r in trainRows) for (int j = 0; j < d; j++) mean[j] += x[r * d + j];
        for (int j = 0; j < d; j++) mean[j] /= trainRows.Length;
        foreach (var r in trainRows) for (int j = 0; j < d; j++) { double v = x[r * d + j] - mean[j]; std[j] += v * v; }
        for (int j = 0; j < d; j++) std[j] = Math.Sqrt(std[j] / trainRows.Length) is var s && s > 1e-12 ? s : 1;
        Tensor Features(int[] rows)
        {
            var data = new float[rows.Length * d];
            for (int i = 0; i < rows.Length; i++)
                for (int j = 0; j < d; j++) data[i * d + j] = (float)((x[rows[i] * d + j] - mean[j]) / std[j]);
            return torch.tensor(data, [rows.Length, d]);
        }
        var trainX = Features(trainRows);
        var trainY = torch.tensor(trainRows.Select(r => (long)y[r]).ToArray());
        var counts = new int[k];
        foreach (var r in trainRows) counts[y[r]]++;
        var weights = torch.tensor(counts.Select(c => c > 0 ? (float)trainRows.Length / (k * c) : 0f).ToArray());

        var rng = new Random(seed);
        var parameters = new List<TorchSharp.Modules.Parameter>();
        Tensor Param(int rowsCount, int cols, double bound)
        {
            var v = new float[rowsCount * cols];
            for (int i = 0; i < v.Length; i++) v[i] = (float)((rng.NextDouble() * 2 - 1) * bound);
            var t = new TorchSharp.Modules.Parameter(torch.tensor(v, [rowsCount, cols]));
            parameters.Add(t);
            return t;
        }
        Tensor? w1 = null, b1 = null;
        int inputs = d;
        if (hidden > 0)
        {
            w1 = Param(d, hidden, 1 / Math.Sqrt(d));
            b1 = Param(1, hidden, 1 / Math.Sqrt(d));
            inputs = hidden;
        }
        var w2 = Param(inputs, k, 1 / Math.Sqrt(inputs));
        var b2 = Param(1, k, 1 / Math.Sqrt(inputs));
        Tensor Logits(Tensor features)
        {
            var h = features;
            if (w1 is not null) h = nn.functional.relu(h.matmul(w1) + b1!);
            return h.matmul(w2) + b2;
        }

        using (var optimizer = torch.optim.Adam(parameters, lr: _o.LearningRate))
        {
            for (int it = 0; it < _o.Iterations; it++)
            {
                using var step = torch.NewDisposeScope();
                optimizer.zero_grad();
                var loss = nn.functional.cross_entropy(Logits(trainX), trainY, weight: weights);
                // Decay on the weights, not the biases.
                var penalty = w2.square().sum();
                if (w1 is not null) penalty = penalty + w1.square().sum();
                (loss + l2 * penalty / 2).backward();
                optimizer.step();
            }
        }
        using var noGrad = torch.no_grad();
        var p = nn.functional.softmax(Logits(Features(testRows)), 1).data<float>().ToArray();
        return Enumerable.Range(0, testRows.Length).Select(i => Enumerable.Range(0, k).Select(c => (double)p[i * k + c]).ToArray()).ToArray();
    }

    /// <summary>ROC-AUC of <paramref name="scores"/> for class 1 against class 0 (Mann–Whitney, ties get the average rank).</summary>
    public static double RocAuc(IReadOnlyList<double> scores, IReadOnlyList<int> labels)
    {
        ArgumentNullException.ThrowIfNull(scores);
        ArgumentNullException.ThrowIfNull(labels);
        if (scores.Count != labels.Count) throw new ArgumentException("Scores and labels differ in length.");
        var order = Enumerable.Range(0, scores.Count).OrderBy(i => scores[i]).ToArray();
        double positiveRankSum = 0;
        long positives = 0;
        for (int start = 0; start < order.Length;)
        {
            int end = start;
            while (end + 1 < order.Length && scores[order[end + 1]] == scores[order[start]]) end++;
            double averageRank = (start + end) / 2.0 + 1;
            for (int t = start; t <= end; t++)
                if (labels[order[t]] == 1) { positiveRankSum += averageRank; positives++; }
            start = end + 1;
        }
        long negatives = scores.Count - positives;
        if (positives == 0 || negatives == 0) throw new ArgumentException("ROC-AUC needs both classes.");
        return (positiveRankSum - positives * (positives + 1) / 2.0) / ((double)positives * negatives);
    }

    /// <summary>Mean over the classes present in <paramref name="truth"/> of the share of their rows predicted correctly.</summary>
    public static double BalancedAccuracy(IReadOnlyList<int> predicted, IReadOnlyList<int> truth, int classes)
    {
        var hits = new int[classes];
        var totals = new int[classes];
        for (int i = 0; i < truth.Count; i++)
        {
            totals[truth[i]]++;
            if (predicted[i] == truth[i]) hits[truth[i]]++;
        }
        var present = Enumerable.Range(0, classes).Where(c => totals[c] > 0).ToArray();
        return present.Average(c => (double)hits[c] / totals[c]);
    }
}
