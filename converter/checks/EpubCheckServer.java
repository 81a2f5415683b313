import com.adobe.epubcheck.api.EpubCheck;
import com.adobe.epubcheck.reporting.CheckingReport;
import com.adobe.epubcheck.util.ReportingLevel;

import java.io.BufferedReader;
import java.io.File;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.Writer;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * One EPUBCheck JVM for a whole batch (article-converter, converter/checks/epubcheck.py).
 *
 * Listens on the Unix socket named by its argument; every connection sends one EPUB path per
 * line and gets, per path, one line: EPUBCheck's JSON report (as `epubcheck --json`, usage
 * messages included, as `-u`). Checks run one at a time; the JVM stays warm between them.
 */
public class EpubCheckServer {
    private static final Object LOCK = new Object();

    public static void main(String[] args) throws Exception {
        ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        server.bind(UnixDomainSocketAddress.of(Path.of(args[0])));
        System.out.println("ready");
        System.out.flush();
        while (true) {
            SocketChannel client = server.accept();
            Thread worker = new Thread(() -> serve(client));
            worker.setDaemon(true);
            worker.start();
        }
    }

    private static void serve(SocketChannel client) {
        try (client;
             BufferedReader in = new BufferedReader(new InputStreamReader(
                 Channels.newInputStream(client), StandardCharsets.UTF_8));
             Writer out = new OutputStreamWriter(Channels.newOutputStream(client),
                 StandardCharsets.UTF_8)) {
            String path;
            while ((path = in.readLine()) != null) {
                String report;
                synchronized (LOCK) {
                    report = check(path);
                }
                out.write(report.replace('\n', ' ').replace('\r', ' '));
                out.write('\n');
                out.flush();
            }
        } catch (Exception exc) {
            // the client went away; nothing to answer
        }
    }

    private static String check(String path) {
        StringWriter text = new StringWriter();
        PrintWriter writer = new PrintWriter(text);
        CheckingReport report = new CheckingReport(writer, path);
        report.setReportingLevel(ReportingLevel.Usage);
        report.initialize();
        new EpubCheck(new File(path), report).check();
        report.generate();
        writer.flush();
        return text.toString();
    }
}
