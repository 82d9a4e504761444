using System;
using System.Diagnostics;
using System.IO;
using System.Linq;
using FashionMnist;
using Spectre.Console;

// Classifies the Fashion-MNIST test set with two networks trained in PyTorch (tools/train_fashion_mnist.py) and run by
// CnnGen's generated code, LeNet-5 and a ResNet-8-style residual net; or, given a 28x28 grayscale PGM file, classifies
// that image.
string dataDirectory = Path.Combine(AppContext.BaseDirectory, "data");
var lenet = new FashionLeNet();
lenet.LoadSafetensors(Path.Combine(dataDirectory, "lenet5.safetensors"));
var resnet = new FashionResNet8();
resnet.LoadSafetensors(Path.Combine(dataDirectory, "resnet8.safetensors"));

if (args.Length > 0)
{
    return ClassifyFile(resnet, args[0]);
}

(float[] images, int count) = Data.ReadImages(Path.Combine(dataDirectory, "t10k-images-idx3-ubyte.gz"));
byte[] labels = Data.ReadLabels(Path.Combine(dataDirectory, "t10k-labels-idx1-ubyte.gz"));
const int Pixels = FashionLeNet.InputLength;
const int Classes = FashionLeNet.OutputLength;

AnsiConsole.MarkupLine($"[bold]CnnGen × Fashion-MNIST[/]: two networks trained in PyTorch, on {count:N0} test images");
Result[] results =
{
    Evaluate("LeNet-5", $"{FashionLeNet.ParameterCount:N0}", lenet, File.ReadAllBytes(Path.Combine(dataDirectory, "torch_predictions.bin"))),
    Evaluate("ResNet-8", $"{FashionResNet8.ParameterCount:N0}", resnet, File.ReadAllBytes(Path.Combine(dataDirectory, "torch_predictions_resnet8.bin"))),
};

var summary = new Table().Border(TableBorder.Rounded).AddColumn("measure");
foreach (Result result in results)
{
    summary.AddColumn(new TableColumn($"{result.Name} ({result.Parameters} parameters)").RightAligned());
}

summary.AddRow(new[] { "accuracy (CnnGen)" }.Concat(results.Select(r => $"{r.Accuracy:F2} %")).ToArray());
summary.AddRow(new[] { "accuracy (PyTorch)" }.Concat(results.Select(r => $"{r.TorchAccuracy:F2} %")).ToArray());
summary.AddRow(new[] { "same prediction as PyTorch" }.Concat(results.Select(r => $"{r.Agreement:F2} % ({r.Agree:N0} of {count:N0})")).ToArray());
summary.AddRow(new[] { "images per second, one thread (Forward)" }.Concat(results.Select(r => $"{r.PerSecond:N0} ({1e6 / r.PerSecond:F1} µs each)")).ToArray());
summary.AddRow(new[] { $"images per second, {Environment.ProcessorCount} cores (ForwardBatch)" }.Concat(results.Select(r => $"{r.BatchPerSecond:N0}")).ToArray());
summary.AddRow(new[] { "ForwardBatch differs from Forward" }.Concat(results.Select(r => r.BatchMismatches == 0 ? "never" : $"{r.BatchMismatches} times")).ToArray());
AnsiConsole.Write(summary);

byte[] predictions = results[1].Predictions; // the better network's, below
// Confusion matrix: rows are true classes, columns predictions.
var confusion = new int[Classes, Classes];
for (int i = 0; i < count; i++)
{
    confusion[labels[i], predictions[i]]++;
}

var matrix = new Table().Border(TableBorder.Simple).Title("Confusion matrix: rows are true classes, columns predicted classes");
matrix.AddColumn("true class");
for (int c = 0; c < Classes; c++)
{
    matrix.AddColumn(new TableColumn(c.ToString()).RightAligned().PadLeft(1).PadRight(0));
}

for (int t = 0; t < Classes; t++)
{
    var row = new string[Classes + 1];
    row[0] = Markup.Escape($"{t} {FashionLeNet.ClassNames[t]}");
    for (int p = 0; p < Classes; p++)
    {
        row[p + 1] = t == p ? $"[green]{confusion[t, p]}[/]" : confusion[t, p] == 0 ? "[grey]·[/]" : confusion[t, p].ToString();
    }

    matrix.AddRow(row);
}

AnsiConsole.Write(matrix);

// A few test images, two side by side, the first misclassified one among them.
int wrong = Enumerable.Range(0, count).First(i => predictions[i] != labels[i]);
int[] shown = { 0, 1, 2, wrong };
for (int pair = 0; pair < shown.Length; pair += 2)
{
    string[] left = Draw(images.AsSpan(shown[pair] * Pixels, Pixels)).Split('\n');
    string[] right = Draw(images.AsSpan(shown[pair + 1] * Pixels, Pixels)).Split('\n');
    for (int line = 0; line < left.Length - 1; line++)
    {
        AnsiConsole.WriteLine(left[line] + "    " + right[line]);
    }

    string leftCaption = Caption(shown[pair]);
    AnsiConsole.MarkupLine(leftCaption + new string(' ', Math.Max(1, 32 - Markup.Remove(leftCaption).Length)) + Caption(shown[pair + 1]));
    AnsiConsole.WriteLine();
}

string Caption(int i) =>
    $"#{i}: [{(predictions[i] == labels[i] ? "green" : "red")}]{Markup.Escape(FashionLeNet.ClassNames[predictions[i]])}[/] (true: {Markup.Escape(FashionLeNet.ClassNames[labels[i]])})";

// PyTorch and CnnGen compute in a different order: a test image whose two best scores are within rounding of each other
// may go either way, so agreement is asked on 99.9 % of the images, and accuracy within 0.05 points.
bool ok = results.All(r => r.Agreement >= 99.9 && Math.Abs(r.Accuracy - r.TorchAccuracy) <= 0.05 && r.BatchMismatches == 0);
AnsiConsole.MarkupLine(ok
    ? "[green]CnnGen's predictions match PyTorch's for both networks.[/]"
    : "[red]CnnGen's predictions differ from PyTorch's more than expected.[/]");
return ok ? 0 : 1;

// One network on the whole test set: Forward on one thread image by image, then ForwardBatch over all of them.
Result Evaluate(string name, string parameters, INetwork net, byte[] torchPredictions)
{
    var predicted = new byte[count];
    var scores = new float[Classes];
    TimeSpan single = TimeSpan.Zero;
    AnsiConsole.Progress()
        .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn())
        .Start(context =>
        {
            ProgressTask task = context.AddTask(name + ": Forward, one thread", maxValue: count);
            var watch = new Stopwatch();
            for (int start = 0; start < count; start += 500)
            {
                int end = Math.Min(count, start + 500);
                watch.Start();
                for (int i = start; i < end; i++)
                {
                    net.Forward(images.AsSpan(i * Pixels, Pixels), scores);
                    predicted[i] = (byte)ArgMax(scores);
                }

                watch.Stop();
                task.Increment(end - start);
            }

            single = watch.Elapsed;
        });

    var batchScores = new float[count * Classes];
    net.ForwardBatch(images.AsSpan(0, Pixels * 256), batchScores.AsSpan(0, Classes * 256)); // warm the workers
    var batchWatch = Stopwatch.StartNew();
    net.ForwardBatch(images, batchScores);
    batchWatch.Stop();

    int correct = Enumerable.Range(0, count).Count(i => predicted[i] == labels[i]);
    int torchCorrect = Enumerable.Range(0, count).Count(i => torchPredictions[i] == labels[i]);
    int agree = Enumerable.Range(0, count).Count(i => predicted[i] == torchPredictions[i]);
    int batchMismatches = Enumerable.Range(0, count).Count(i => ArgMax(batchScores.AsSpan(i * Classes, Classes)) != predicted[i]);
    return new Result(name, parameters, predicted, 100.0 * correct / count, 100.0 * torchCorrect / count, agree, 100.0 * agree / count,
        count / single.TotalSeconds, count / batchWatch.Elapsed.TotalSeconds, batchMismatches);
}

static int ClassifyFile(FashionResNet8 net, string path)
{
    float[] image;
    try
    {
        image = Data.ReadPgm(path);
    }
    catch (Exception e) when (e is IOException or InvalidDataException or FormatException or OverflowException or UnauthorizedAccessException)
    {
        AnsiConsole.MarkupLine($"[red]Cannot read {Markup.Escape(path)}:[/] {Markup.Escape(e.Message)}");
        AnsiConsole.MarkupLine("Give a 28x28 grayscale PGM (P2 or P5), light garment on a dark background, e.g. from: convert in.png -resize 28x28! -colorspace Gray -negate out.pgm");
        return 2;
    }

    var scores = new float[FashionResNet8.OutputLength];
    net.Forward(image, scores);
    float max = scores.Max();
    double[] probabilities = scores.Select(s => Math.Exp(s - max)).ToArray();
    double total = probabilities.Sum();
    AnsiConsole.WriteLine(Draw(image));
    foreach (int c in Enumerable.Range(0, scores.Length).OrderByDescending(c => scores[c]).Take(3))
    {
        AnsiConsole.MarkupLine($"{Markup.Escape(FashionLeNet.ClassNames[c]),-12} {100 * probabilities[c] / total,6:F2} %");
    }

    return 0;
}

static int ArgMax(ReadOnlySpan<float> values)
{
    int best = 0;
    for (int i = 1; i < values.Length; i++)
    {
        if (values[i] > values[best])
        {
            best = i;
        }
    }

    return best;
}

// A 28x28 image as 14 lines of 28 characters (two pixel rows a line), denser characters for brighter pixels.
static string Draw(ReadOnlySpan<float> pixels)
{
    const string Shades = " .:-=+*#%@";
    var text = new System.Text.StringBuilder(14 * 29);
    for (int y = 0; y < 28; y += 2)
    {
        for (int x = 0; x < 28; x++)
        {
            // Two rows per line keep the aspect ratio of a terminal cell.
            float value = Math.Max(pixels[(y * 28) + x], pixels[((y + 1) * 28) + x]);
            char shade = Shades[Math.Min(Shades.Length - 1, (int)(value * Shades.Length))];
            text.Append(shade);
        }

        text.Append('\n');
    }

    return text.ToString();
}


/// <summary>One network's results on the test set.</summary>
internal sealed record Result(string Name, string Parameters, byte[] Predictions, double Accuracy, double TorchAccuracy, int Agree, double Agreement, double PerSecond, double BatchPerSecond, int BatchMismatches);
